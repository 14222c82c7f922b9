package evtx

import "errors"

// Sentinel errors wrapped by the *model.ParseError values the Reader yields.
var (
	// ErrFileHeader reports a file header that is missing, has the wrong
	// signature or an unknown version. Reading goes on with the chunks.
	ErrFileHeader = errors.New("evtx: bad file header")
	// ErrChunkSignature reports a chunk whose signature is not "ElfChnk";
	// the chunk is skipped.
	ErrChunkSignature = errors.New("evtx: bad chunk signature")
	// ErrChecksum reports a CRC32 that does not match the data it covers
	// (file header, chunk header or chunk records). It is reported, not
	// fatal: the data is decoded anyway.
	ErrChecksum = errors.New("evtx: CRC32 mismatch")
	// ErrRecord reports a record header that cannot be right (signature,
	// size); the rest of its chunk is skipped.
	ErrRecord = errors.New("evtx: bad record")
	// ErrBinXML reports binary XML that cannot be decoded; the record is
	// returned as far as it could be read.
	ErrBinXML = errors.New("evtx: bad binary XML")
	// ErrTrailing reports bytes after the last whole chunk that are not zero.
	ErrTrailing = errors.New("evtx: partial chunk at end of file")
)
