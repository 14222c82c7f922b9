// Package parse opens radscope's inputs — NPS text logs, Windows event
// exports and packet captures — and turns them into one time-ordered stream
// of model.Message values.
//
// # Readers
//
// Every format package (parse/ias, parse/odbc, parse/dts, parse/pcap,
// parse/winevent) has the shape of encoding/csv's Reader:
//
//	r := odbc.NewReader(src, odbc.Options{File: name, Location: loc})
//	for {
//		m, err := r.Read()
//		...
//	}
//
// plus All, an iter.Seq2[model.Message, error] built on Read, a Sniff(head)
// function that recognises the format from the first bytes, and Options as
// struct fields.
//
// # What errors in a stream mean
//
// This is written once, here, and every reader and iterator in radscope
// follows it:
//
//   - A *model.ParseError reports one bad record (line, frame, chunk). It
//     names the position. The reader has already moved past the record, so
//     the caller may go on reading; Read returns the partial message as well
//     when part of the record could be decoded (marked model.MarkMalformed),
//     and the zero Message otherwise. In an iterator the error is yielded
//     with that message and iteration goes on.
//   - Any other error (an I/O error, a decompression error, a context
//     cancellation) is final: Read returns it on every later call, and an
//     iterator yields it once and stops.
//   - io.EOF from Read means the input is done; iterators just stop.
//   - Breaking out of a range loop stops reading and releases what the
//     iterator opened.
//
// Callers should not write the loop that tells these apart by hand: Collect
// and Count (and the Stats they fill) do it, and honour Strict.
package parse
