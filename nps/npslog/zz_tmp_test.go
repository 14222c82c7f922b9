package npslog_test
import ("os";"strings";"testing";"time";"github.com/radscope/radscope/model")
func TestFixturesTmp(t *testing.T){
 loc:=time.FixedZone("CET",3600)
 for _,c:=range []struct{f string;fm model.Format}{{"ias.log",model.FormatIAS},{"dts.log",model.FormatDTS},{"odbc66.log",model.FormatODBC}} {
  b,err:=os.ReadFile("../../testdata/iaslogs/"+c.f); if err!=nil {t.Log(err);continue}
  n,bad:=0,0
  for _,l:=range strings.Split(strings.TrimSpace(string(b)),"\r\n") {
   ms:=readAll(t,c.fm,[]byte(l+"\r\n")); if len(ms)!=1 {continue}
   ms[0].Time=ms[0].Time.In(zone)
   _ = loc
   got:=strings.TrimSuffix(string(write(t,c.fm,ms)),"\r\n")
   n++
   if got!=l { bad++; if bad<=2 {t.Logf("%s\n got %s\nwant %s",c.f,got,l)} }
  }
  t.Logf("%s: %d/%d differ",c.f,bad,n)
 }
}
