package export

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/export/ch"
	"github.com/radscope/radscope/model"
)

// num reads a JSON number that ClickHouse may quote (64-bit integers are
// quoted by default).
type num int64

func (n *num) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(string(bytes.Trim(b, `"`)), 10, 64)
	*n = num(v)
	return err
}

type unum uint64

func (n *unum) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseUint(string(bytes.Trim(b, `"`)), 10, 64)
	*n = unum(v)
	return err
}

func chTime(s string, ns num) (time.Time, error) {
	if s == "" || s == "0000-00-00 00:00:00" || s == "1970-01-01 00:00:00" && ns == 0 {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.UTC)
	if err != nil {
		return t, err
	}
	return t.Add(time.Duration(ns)), nil
}

type mfaCols struct {
	HasMFA  num    `json:"has_mfa"`
	CID     string `json:"mfa_cid"`
	Result  string `json:"mfa_result"`
	Error   string `json:"mfa_error"`
	Method  string `json:"mfa_method"`
	Message string `json:"mfa_message"`
	Outcome string `json:"mfa_outcome"`
	State   string `json:"mfa_state"`
}

func (m *mfaCols) mfa() *model.MFA {
	if m.HasMFA == 0 {
		return nil
	}
	return &model.MFA{CID: m.CID, Result: m.Result, Error: m.Error, Method: m.Method, Message: m.Message, Outcome: m.Outcome, State: m.State}
}

type messageRow struct {
	ID             unum     `json:"id"`
	FlowID         unum     `json:"flow_id"`
	FlowIndex      num      `json:"flow_index"`
	Time           string   `json:"time"`
	TimeNS         num      `json:"time_ns"`
	Kind           string   `json:"kind"`
	Code           num      `json:"code"`
	Ident          num      `json:"ident"`
	Auth           string   `json:"authenticator"`
	Client         string   `json:"client"`
	Server         string   `json:"server"`
	Computer       string   `json:"computer"`
	Service        string   `json:"service"`
	User           string   `json:"user_name"`
	NASIP          string   `json:"nas_ip"`
	NASID          string   `json:"nas_id"`
	ClientIP       string   `json:"client_ip"`
	ClientName     string   `json:"client_name"`
	CallingStation string   `json:"calling_station"`
	CalledStation  string   `json:"called_station"`
	Class          string   `json:"class"`
	AcctSessionID  string   `json:"acct_session_id"`
	AcctStatus     num      `json:"acct_status"`
	AuthType       num      `json:"auth_type"`
	Policy         string   `json:"policy"`
	ProxyPolicy    string   `json:"proxy_policy"`
	Reason         num      `json:"reason"`
	Marks          num      `json:"marks"`
	HasCheck       num      `json:"has_check"`
	CheckAuth      num      `json:"check_authenticator"`
	CheckMsgAuth   num      `json:"check_message_authenticator"`
	CheckPassword  num      `json:"check_password"`
	HasEvent       num      `json:"has_event"`
	EventID        num      `json:"event_id"`
	EventProvider  string   `json:"event_provider"`
	EventChannel   string   `json:"event_channel"`
	EventRecord    unum     `json:"event_record"`
	EventLevel     string   `json:"event_level"`
	EventMessage   string   `json:"event_message"`
	EventKeys      []string `json:"event_data.key"`
	EventValues    []string `json:"event_data.value"`
	mfaCols
	Peer       num      `json:"peer"`
	RTT        num      `json:"rtt_ns"`
	SrcFormat  string   `json:"src_format"`
	SrcFile    string   `json:"src_file"`
	SrcLine    num      `json:"src_line"`
	SrcCol     num      `json:"src_col"`
	SrcOffset  num      `json:"src_offset"`
	SrcFrame   num      `json:"src_frame"`
	SrcRecord  num      `json:"src_record"`
	AttrVendor []num    `json:"attrs.vendor"`
	AttrType   []num    `json:"attrs.type"`
	AttrName   []string `json:"attrs.name"`
	AttrValue  []string `json:"attrs.value"`
	AttrRaw    []string `json:"attrs.raw"`
	AttrSens   []num    `json:"attrs.sensitive"`
}

var kinds = map[string]model.Kind{}

func init() {
	for k := model.KindUnknown; k <= model.KindEvent; k++ {
		kinds[k.String()] = k
	}
}

func parseAddrPort(s string) (netip.AddrPort, error) {
	if s == "" {
		return netip.AddrPort{}, nil
	}
	return netip.ParseAddrPort(s)
}

func parseAddr(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(s)
}

func unhex(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	return hex.DecodeString(s)
}

func (r *messageRow) message() (model.Message, error) {
	var m model.Message
	var err error
	bad := func(what string, e error) error {
		return fmt.Errorf("export: message %d: %s: %v", r.ID, what, e)
	}
	if m.Time, err = chTime(r.Time, r.TimeNS); err != nil {
		return m, bad("time", err)
	}
	m.Kind = kinds[r.Kind]
	m.Code = model.Code(r.Code)
	m.Ident = int(r.Ident)
	if m.Auth, err = unhex(r.Auth); err != nil {
		return m, bad("authenticator", err)
	}
	if m.Client, err = parseAddrPort(r.Client); err != nil {
		return m, bad("client", err)
	}
	if m.Server, err = parseAddrPort(r.Server); err != nil {
		return m, bad("server", err)
	}
	m.Computer, m.Service, m.User = r.Computer, r.Service, r.User
	if m.NASAddr, err = parseAddr(r.NASIP); err != nil {
		return m, bad("nas_ip", err)
	}
	m.NASID = r.NASID
	if m.ClientAddr, err = parseAddr(r.ClientIP); err != nil {
		return m, bad("client_ip", err)
	}
	m.ClientName, m.CallingStation, m.CalledStation = r.ClientName, r.CallingStation, r.CalledStation
	m.Class, m.AcctSessionID = r.Class, r.AcctSessionID
	m.AcctStatus, m.AuthType = int(r.AcctStatus), int(r.AuthType)
	m.Policy, m.ProxyPolicy, m.Reason = r.Policy, r.ProxyPolicy, int(r.Reason)
	m.Marks = model.Mark(r.Marks)
	if r.HasCheck != 0 {
		m.Check = &model.SecretCheck{Authenticator: model.SecretVerdict(r.CheckAuth), MessageAuthenticator: model.SecretVerdict(r.CheckMsgAuth), Password: model.SecretVerdict(r.CheckPassword)}
	}
	if r.HasEvent != 0 {
		ev := &model.Event{ID: int(r.EventID), Provider: r.EventProvider, Channel: r.EventChannel, RecordID: uint64(r.EventRecord), Level: r.EventLevel, Message: r.EventMessage}
		if len(r.EventKeys) > 0 {
			ev.Data = make(map[string]string, len(r.EventKeys))
			for i, k := range r.EventKeys {
				if i < len(r.EventValues) {
					ev.Data[k] = r.EventValues[i]
				}
			}
		}
		m.Event = ev
	}
	m.MFA = r.mfa()
	m.Peer, m.RTT = int64(r.Peer), time.Duration(r.RTT)
	m.Src = model.Source{Format: model.Format(r.SrcFormat), File: r.SrcFile, Line: int(r.SrcLine), Col: int(r.SrcCol), Offset: int64(r.SrcOffset), Frame: int64(r.SrcFrame), Record: int64(r.SrcRecord)}
	n := len(r.AttrName)
	if len(r.AttrVendor) != n || len(r.AttrType) != n || len(r.AttrValue) != n || len(r.AttrRaw) != n || len(r.AttrSens) != n {
		return m, bad("attrs", fmt.Errorf("nested arrays of different lengths"))
	}
	if n > 0 {
		m.Attrs = make([]model.Attr, n)
		for i := range n {
			raw, err := unhex(r.AttrRaw[i])
			if err != nil {
				return m, bad("attrs.raw", err)
			}
			m.Attrs[i] = model.Attr{Vendor: uint32(r.AttrVendor[i]), Type: int32(r.AttrType[i]), Name: r.AttrName[i], Value: r.AttrValue[i], Raw: raw, Sensitive: r.AttrSens[i] != 0}
		}
	}
	return m, nil
}

type flowRow struct {
	ID             unum   `json:"id"`
	Seq            num    `json:"seq"`
	Kind           string `json:"kind"`
	Start          string `json:"start"`
	StartNS        num    `json:"start_ns"`
	End            string `json:"end"`
	EndNS          num    `json:"end_ns"`
	User           string `json:"user_name"`
	Computer       string `json:"computer"`
	NAS            string `json:"nas"`
	Client         string `json:"client"`
	CallingStation string `json:"calling_station"`
	CalledStation  string `json:"called_station"`
	Method         string `json:"method"`
	Policy         string `json:"policy"`
	ProxyPolicy    string `json:"proxy_policy"`
	AcctSessionID  string `json:"acct_session_id"`
	Class          string `json:"class"`
	Outcome        string `json:"outcome"`
	Reason         num    `json:"reason"`
	mfaCols
	Latency     num      `json:"latency_ns"`
	Skew        num      `json:"skew_ns"`
	Sources     []string `json:"sources"`
	Linked      num      `json:"linked"`
	AuthSeen    num      `json:"auth_seen"`
	Messages    num      `json:"messages"`
	RoundReq    []num    `json:"rounds.request"`
	RoundRtx    []string `json:"rounds.retransmits"`
	RoundResp   []num    `json:"rounds.response"`
	RoundCode   []num    `json:"rounds.code"`
	RoundLat    []num    `json:"rounds.latency_ns"`
	FindRule    []string `json:"findings.rule"`
	FindSev     []string `json:"findings.severity"`
	FindText    []string `json:"findings.text"`
	FindRemedy  []string `json:"findings.remedy"`
	FindEvident []string `json:"findings.evidence"`
	Part        num      `json:"part"`
	Continues   num      `json:"continues"`
}

func splitInts(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (r *flowRow) flow() (model.Flow, error) {
	var f model.Flow
	var err error
	bad := func(what string, e error) error {
		return fmt.Errorf("export: flow %d: %s: %v", r.ID, what, e)
	}
	f.ID = int64(r.Seq)
	var ok bool
	if f.Kind, ok = model.ParseFlowKind(r.Kind); !ok {
		return f, bad("kind", fmt.Errorf("unknown kind %q", r.Kind))
	}
	if f.Start, err = chTime(r.Start, r.StartNS); err != nil {
		return f, bad("start", err)
	}
	if f.End, err = chTime(r.End, r.EndNS); err != nil {
		return f, bad("end", err)
	}
	f.User, f.Computer, f.NAS, f.Client = r.User, r.Computer, r.NAS, r.Client
	f.CallingStation, f.CalledStation, f.Method = r.CallingStation, r.CalledStation, r.Method
	f.Policy, f.ProxyPolicy, f.AcctSessionID, f.Class = r.Policy, r.ProxyPolicy, r.AcctSessionID, r.Class
	if f.Outcome, ok = model.ParseOutcome(r.Outcome); !ok {
		return f, bad("outcome", fmt.Errorf("unknown outcome %q", r.Outcome))
	}
	f.Reason = int(r.Reason)
	f.MFA = r.mfa()
	f.Latency, f.Skew = time.Duration(r.Latency), time.Duration(r.Skew)
	for _, s := range r.Sources {
		f.Sources = append(f.Sources, kinds[s])
	}
	f.Linked, f.AuthSeen = int64(r.Linked), r.AuthSeen != 0
	f.Part, f.Continues = int(r.Part), int64(r.Continues)
	for i := range r.RoundReq {
		if i >= len(r.RoundRtx) || i >= len(r.RoundResp) || i >= len(r.RoundCode) || i >= len(r.RoundLat) {
			return f, bad("rounds", fmt.Errorf("nested arrays of different lengths"))
		}
		rtx, err := splitInts(r.RoundRtx[i])
		if err != nil {
			return f, bad("rounds.retransmits", err)
		}
		f.Rounds = append(f.Rounds, model.Round{Request: int(r.RoundReq[i]), Retransmits: rtx, Response: int(r.RoundResp[i]), Code: model.Code(r.RoundCode[i]), Latency: time.Duration(r.RoundLat[i])})
	}
	for i := range r.FindRule {
		if i >= len(r.FindSev) || i >= len(r.FindText) || i >= len(r.FindRemedy) || i >= len(r.FindEvident) {
			return f, bad("findings", fmt.Errorf("nested arrays of different lengths"))
		}
		sev, _ := model.ParseSeverity(r.FindSev[i])
		ev, err := splitInts(r.FindEvident[i])
		if err != nil {
			return f, bad("findings.evidence", err)
		}
		f.Findings = append(f.Findings, model.Finding{Rule: r.FindRule[i], Severity: sev, Text: r.FindText[i], Remedy: r.FindRemedy[i], Evidence: ev})
	}
	return f, nil
}

// ReadOptions select the flows Read returns.
type ReadOptions struct {
	Tables Tables
	// Where is a SQL condition on the flows table (see report.FilterSQL);
	// "" for all flows.
	Where string
	// Limit stops after this many flows; 0 for no limit.
	Limit int
	// NoMessages leaves Flow.Messages empty (one query instead of two per
	// page).
	NoMessages bool
}

// pageFlows is how many flows Read fetches the messages of at once.
const pageFlows = 1000

// Read calls each with the flows stored in the client's database (FINAL:
// each id once), in time order, with their messages.
func Read(ctx context.Context, c *ch.Client, o ReadOptions, each func(*model.Flow) error) error {
	t := o.Tables.orDefault()
	if err := t.check(); err != nil {
		return err
	}
	q := "SELECT * FROM " + t.Flows + " FINAL"
	if o.Where != "" {
		q += " WHERE " + o.Where
	}
	q += " ORDER BY start, start_ns, id"
	if o.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(o.Limit)
	}
	q += " FORMAT JSONEachRow"
	var page []model.Flow
	var pageIDs []uint64
	flush := func() error {
		if len(page) == 0 {
			return nil
		}
		if !o.NoMessages {
			if err := attachMessages(ctx, c, t, page, pageIDs); err != nil {
				return err
			}
		}
		for i := range page {
			if err := each(&page[i]); err != nil {
				return err
			}
		}
		page, pageIDs = page[:0], pageIDs[:0]
		return nil
	}
	err := c.Query(ctx, q, func(line []byte) error {
		var r flowRow
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("export: reading %s: %v", t.Flows, err)
		}
		f, err := r.flow()
		if err != nil {
			return err
		}
		page = append(page, f)
		pageIDs = append(pageIDs, uint64(r.ID))
		if len(page) >= pageFlows {
			return flush()
		}
		return nil
	})
	if err != nil {
		return wrap(err)
	}
	return flush()
}

func wrap(err error) error {
	if strings.HasPrefix(err.Error(), "export: ") {
		return err
	}
	return fmt.Errorf("export: %w", err)
}

// attachMessages fetches the messages of a page of flows. Their times are
// bounded by the flows' (a day's margin either way covers clock
// corrections), so the query reads few partitions.
func attachMessages(ctx context.Context, c *ch.Client, t Tables, page []model.Flow, ids []uint64) error {
	idx := make(map[uint64]int, len(ids))
	var b strings.Builder
	var lo, hi time.Time
	for i, id := range ids {
		idx[id] = i
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(id, 10))
		f := &page[i]
		if !f.Start.IsZero() && (lo.IsZero() || f.Start.Before(lo)) {
			lo = f.Start
		}
		if f.End.After(hi) {
			hi = f.End
		}
		if f.Start.After(hi) {
			hi = f.Start
		}
	}
	q := "SELECT * FROM " + t.Messages + " FINAL WHERE flow_id IN (" + b.String() + ")"
	if !lo.IsZero() {
		q += fmt.Sprintf(" AND (time = 0 OR time BETWEEN %d AND %d)", max(lo.Add(-24*time.Hour).Unix(), 0), hi.Add(24*time.Hour).Unix())
	}
	q += " ORDER BY flow_id, flow_index FORMAT JSONEachRow"
	err := c.Query(ctx, q, func(line []byte) error {
		var r messageRow
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("export: reading %s: %v", t.Messages, err)
		}
		i, ok := idx[uint64(r.FlowID)]
		if !ok {
			return nil
		}
		m, err := r.message()
		if err != nil {
			return err
		}
		page[i].Messages = append(page[i].Messages, m)
		return nil
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// Counts returns the rows of the two tables after merging (FINAL) and the
// distinct ids, to check that nothing was lost or doubled.
func Counts(ctx context.Context, c *ch.Client, tables Tables) (messages, flows int64, err error) {
	t := tables.orDefault()
	if err := t.check(); err != nil {
		return 0, 0, err
	}
	var out [2]int64
	for i, name := range []string{t.Messages, t.Flows} {
		err := c.Query(ctx, "SELECT count() AS n FROM "+name+" FINAL FORMAT JSONEachRow", func(line []byte) error {
			var r struct {
				N num `json:"n"`
			}
			if err := json.Unmarshal(line, &r); err != nil {
				return err
			}
			out[i] = int64(r.N)
			return nil
		})
		if err != nil {
			return 0, 0, wrap(err)
		}
	}
	return out[0], out[1], nil
}
