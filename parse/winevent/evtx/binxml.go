package evtx

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Binary XML tokens ([MS-EVEN6] §2.2.12; libyal "Binary XML"). The 0x40 bit
// on a token means "more data follows" and is masked off before dispatch.
const (
	tokEOF        = 0x00
	tokOpen       = 0x01
	tokCloseStart = 0x02
	tokCloseEmpty = 0x03
	tokEnd        = 0x04
	tokValue      = 0x05
	tokAttr       = 0x06
	tokCDATA      = 0x07
	tokCharRef    = 0x08
	tokEntityRef  = 0x09
	tokPITarget   = 0x0a
	tokPIData     = 0x0b
	tokTemplate   = 0x0c
	tokSubst      = 0x0d
	tokOptSubst   = 0x0e
	tokFragment   = 0x0f
)

// Value types ([MS-EVEN6] §2.2.18 BinXmlVariant, libyal "Value types").
const (
	typeNull     = 0x00
	typeString   = 0x01
	typeAnsi     = 0x02
	typeInt8     = 0x03
	typeUint8    = 0x04
	typeInt16    = 0x05
	typeUint16   = 0x06
	typeInt32    = 0x07
	typeUint32   = 0x08
	typeInt64    = 0x09
	typeUint64   = 0x0a
	typeReal32   = 0x0b
	typeReal64   = 0x0c
	typeBool     = 0x0d
	typeBinary   = 0x0e
	typeGUID     = 0x0f
	typeSizeT    = 0x10
	typeFiletime = 0x11
	typeSysTime  = 0x12
	typeSID      = 0x13
	typeHex32    = 0x14
	typeHex64    = 0x15
	typeEvtHndl  = 0x20
	typeBinXML   = 0x21
	typeEvtXML   = 0x23
	typeArray    = 0x80
)

const (
	maxNesting  = 24  // template instances and BinXml values inside each other
	maxElements = 256 // element depth inside one fragment
)

type itemKind uint8

const (
	itemText itemKind = iota
	itemSubst
	itemElem
	itemInstance
)

// item is one piece of element content (or of an attribute value) as read
// from binary XML: literal text, a substitution placeholder, a child
// element, or a template instance with its values.
type item struct {
	kind     itemKind
	optional bool
	sub      uint16
	text     string
	elem     *telem
	inst     *instance
}

type telem struct {
	name    string
	attrs   []tattr
	content []item
	kids    int // child elements and template instances in content
}

type tattr struct {
	name string
	val  []item
}

type instance struct {
	tmpl *template
	vals []valueRef
}

type template struct {
	items []item
	err   error
}

// valueRef locates one substitution value inside the chunk.
type valueRef struct {
	typ       uint8
	off, size int
}

// chunkDec decodes the binary XML of one chunk. Names and templates are
// cached by their chunk offset, as the format intends.
type chunkDec struct {
	b     []byte
	names map[uint32]string
	tmpls map[uint32]*template
	arena []byte    // text of the records being decoded; see tail
	slab  []Element // elements of the records being decoded
	// attrSlab and kidSlab hold the Attrs and Children of those elements.
	attrSlab []Attr
	kidSlab  []*Element
}

func newChunkDec() *chunkDec {
	return &chunkDec{names: make(map[uint32]string, 64), tmpls: make(map[uint32]*template, 32)}
}

func (c *chunkDec) reset(b []byte) {
	c.b = b
	c.slab, c.attrSlab, c.kidSlab = nil, nil, nil
	clear(c.names)
	clear(c.tmpls)
}

// parser reads tokens from c.b[pos:end].
type parser struct {
	c     *chunkDec
	pos   int
	end   int
	nest  int
	depth int
	err   error
}

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%w: offset %d: %s", ErrBinXML, p.pos, fmt.Sprintf(format, args...))
	}
}

func (p *parser) need(n int) bool {
	if p.err != nil {
		return false
	}
	if n < 0 || p.pos+n > p.end {
		p.fail("truncated (need %d bytes, have %d)", n, p.end-p.pos)
		return false
	}
	return true
}

func (p *parser) u8() byte {
	if !p.need(1) {
		return 0
	}
	v := p.c.b[p.pos]
	p.pos++
	return v
}

func (p *parser) u16() uint16 {
	if !p.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(p.c.b[p.pos:])
	p.pos += 2
	return v
}

func (p *parser) u32() uint32 {
	if !p.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(p.c.b[p.pos:])
	p.pos += 4
	return v
}

// name reads a name reference; a name stored inline right after the
// reference is skipped.
func (p *parser) name() string {
	off := p.u32()
	if p.err != nil {
		return ""
	}
	s, size, err := p.c.name(off)
	if err != nil {
		p.fail("%v", err)
		return ""
	}
	if int(off) == p.pos {
		if !p.need(size) {
			return ""
		}
		p.pos += size
	}
	return s
}

// name returns the name string at chunk offset off and its stored size.
func (c *chunkDec) name(off uint32) (string, int, error) {
	o := int(off)
	if o < 0 || o+8 > len(c.b) {
		return "", 0, fmt.Errorf("name offset %d outside the chunk", off)
	}
	n := int(binary.LittleEndian.Uint16(c.b[o+6:]))
	size := 8 + 2*n + 2
	if o+8+2*n > len(c.b) {
		return "", 0, fmt.Errorf("name at offset %d overruns the chunk", off)
	}
	if s, ok := c.names[off]; ok {
		return s, size, nil
	}
	s := c.utf16(c.b[o+8 : o+8+2*n])
	c.names[off] = s
	return s, size, nil
}

// utf16 decodes little-endian UTF-16 to a string in the arena.
func (c *chunkDec) utf16(b []byte) string {
	start := len(c.arena)
	c.appendUTF16(b)
	return c.tail(start)
}

// appendUTF16 decodes little-endian UTF-16 into the arena, fast for ASCII.
func (c *chunkDec) appendUTF16(b []byte) {
	n := len(b) / 2
	out := c.arena
	i := 0
	for ; i < n; i++ {
		lo, hi := b[2*i], b[2*i+1]
		if hi != 0 || lo >= 0x80 {
			break
		}
		out = append(out, lo)
	}
	for ; i < n; i++ {
		u := binary.LittleEndian.Uint16(b[2*i:])
		switch {
		case u < 0x80:
			out = append(out, byte(u))
		case utf16.IsSurrogate(rune(u)) && i+1 < n:
			r := utf16.DecodeRune(rune(u), rune(binary.LittleEndian.Uint16(b[2*i+2:])))
			if r != utf8.RuneError {
				i++
			}
			out = utf8.AppendRune(out, r)
		default:
			out = utf8.AppendRune(out, rune(u))
		}
	}
	c.arena = out
}

// appendLatin1 copies ANSI text into the arena, reading it as Latin-1.
func (c *chunkDec) appendLatin1(b []byte) {
	for _, x := range b {
		if x < 0x80 {
			c.arena = append(c.arena, x)
		} else {
			c.arena = utf8.AppendRune(c.arena, rune(x))
		}
	}
}

// tail returns the arena bytes from start as a string without copying.
// Arena bytes, once written, are never changed (a new arena is made for
// each record, and a full one is replaced, not reused), so the strings
// stay valid for as long as they are referenced.
func (c *chunkDec) tail(start int) string {
	if len(c.arena) == start {
		return ""
	}
	return unsafe.String(&c.arena[start], len(c.arena)-start)
}

// content reads tokens until EndElement (inElem) or EOF / the end of the
// data (fragment level).
func (p *parser) content(inElem bool) []item {
	var items []item
	for p.err == nil && p.pos < p.end {
		tok := p.c.b[p.pos]
		switch tok & 0x0f {
		case tokEOF:
			p.pos++
			if inElem {
				p.fail("end of fragment inside an element")
			}
			return items
		case tokEnd:
			p.pos++
			if !inElem {
				p.fail("end element outside an element")
			}
			return items
		case tokFragment:
			p.pos++
			if !p.need(3) {
				return items
			}
			p.pos += 3
		case tokOpen:
			if e := p.element(); e != nil {
				items = append(items, item{kind: itemElem, elem: e})
			}
		case tokValue, tokCDATA, tokCharRef, tokEntityRef:
			if s, ok := p.text(); ok {
				items = append(items, item{kind: itemText, text: s})
			}
		case tokSubst, tokOptSubst:
			items = append(items, p.subst())
		case tokTemplate:
			if inst := p.instance(); inst != nil {
				items = append(items, item{kind: itemInstance, inst: inst})
			}
		case tokPITarget:
			p.pos++
			p.name()
		case tokPIData:
			p.pos++
			n := int(p.u16())
			if p.need(2 * n) {
				p.pos += 2 * n
			}
		default:
			p.fail("unexpected token 0x%02x", tok)
		}
	}
	if inElem && p.err == nil {
		p.fail("element not closed")
	}
	return items
}

func (p *parser) subst() item {
	tok := p.u8()
	id := p.u16()
	p.u8() // value type; the value's own descriptor is authoritative
	return item{kind: itemSubst, sub: id, optional: tok&0x0f == tokOptSubst}
}

// text reads a Value, CDATA, CharRef or EntityRef token.
func (p *parser) text() (string, bool) {
	tok := p.u8()
	switch tok & 0x0f {
	case tokValue:
		typ := p.u8()
		if typ != typeString && typ != typeAnsi {
			p.fail("value token of type 0x%02x", typ)
			return "", false
		}
		n := int(p.u16())
		if typ == typeAnsi {
			if !p.need(n) {
				return "", false
			}
			start := len(p.c.arena)
			p.c.appendLatin1(p.c.b[p.pos : p.pos+n])
			s := p.c.tail(start)
			p.pos += n
			return s, true
		}
		if !p.need(2 * n) {
			return "", false
		}
		s := p.c.utf16(p.c.b[p.pos : p.pos+2*n])
		p.pos += 2 * n
		return s, true
	case tokCDATA:
		n := int(p.u16())
		if !p.need(2 * n) {
			return "", false
		}
		s := p.c.utf16(p.c.b[p.pos : p.pos+2*n])
		p.pos += 2 * n
		return s, true
	case tokCharRef:
		r := p.u16()
		return string(rune(r)), p.err == nil
	default: // EntityRef
		n := p.name()
		switch n {
		case "amp":
			return "&", true
		case "lt":
			return "<", true
		case "gt":
			return ">", true
		case "quot":
			return `"`, true
		case "apos":
			return "'", true
		}
		return "&" + n + ";", p.err == nil
	}
}

func (p *parser) element() *telem {
	if p.depth >= maxElements {
		p.fail("elements nested too deep")
		return nil
	}
	p.depth++
	defer func() { p.depth-- }()
	tok := p.u8()
	// The dependency identifier (u16) precedes the data size in template
	// definitions, but some writers (forwarded events, WEC) leave it out.
	// The name offset tells which: it points back into the chunk or to the
	// inline name right after itself.
	if !p.depIDPresent() {
		p.pos -= 2
	}
	p.u16() // dependency identifier
	p.u32() // data size
	e := &telem{name: p.name()}
	if tok&0x40 != 0 {
		p.u32() // attribute list size
		for p.err == nil && p.pos < p.end && p.c.b[p.pos]&0x0f == tokAttr {
			p.pos++
			a := tattr{name: p.name()}
			for p.err == nil && p.pos < p.end {
				t := p.c.b[p.pos] & 0x0f
				if t == tokSubst || t == tokOptSubst {
					a.val = append(a.val, p.subst())
				} else if t == tokValue || t == tokCharRef || t == tokEntityRef || t == tokCDATA {
					if s, ok := p.text(); ok {
						a.val = append(a.val, item{kind: itemText, text: s})
					}
				} else {
					break
				}
			}
			e.attrs = append(e.attrs, a)
		}
	}
	switch t := p.u8(); t & 0x0f {
	case tokCloseEmpty:
	case tokCloseStart:
		e.content = p.content(true)
		for _, it := range e.content {
			if it.kind == itemElem || it.kind == itemInstance {
				e.kids++
			}
		}
	default:
		if p.err == nil {
			p.pos--
			p.fail("element %q: expected close start tag, got token 0x%02x", e.name, t)
		}
	}
	return e
}

// depIDPresent tells, at the byte after an OpenStartElement token, whether
// a dependency identifier follows.
func (p *parser) depIDPresent() bool {
	plausible := func(at int) bool {
		if at+4 > p.end {
			return false
		}
		o := int(binary.LittleEndian.Uint32(p.c.b[at:]))
		return o == at+4 || (o >= ChunkHeaderSize && o < at && o+8 <= len(p.c.b))
	}
	if plausible(p.pos + 6) {
		return true
	}
	return !plausible(p.pos + 4)
}

// instance reads a TemplateInstance token, the template definition when it
// is stored inline, and the substitution value descriptors.
func (p *parser) instance() *instance {
	p.u8()  // token
	p.u8()  // unknown
	p.u32() // template identifier
	defOff := p.u32()
	if p.err != nil {
		return nil
	}
	if int(defOff) == p.pos {
		if !p.need(24) {
			return nil
		}
		size := int(binary.LittleEndian.Uint32(p.c.b[p.pos+20:]))
		if !p.need(24 + size) {
			return nil
		}
		p.pos += 24 + size
	}
	t := p.c.template(defOff, p.nest+1)
	if t.err != nil {
		p.err = t.err
		return nil
	}
	n := int(p.u32())
	if p.err != nil {
		return nil
	}
	if n > (p.end-p.pos)/4 {
		p.fail("%d substitution values do not fit", n)
		return nil
	}
	vals := make([]valueRef, n)
	desc := p.pos
	cur := p.pos + 4*n
	for i := range vals {
		size := int(binary.LittleEndian.Uint16(p.c.b[desc+4*i:]))
		vals[i] = valueRef{typ: p.c.b[desc+4*i+2], off: cur, size: size}
		cur += size
	}
	if cur > p.end {
		p.pos = desc
		p.fail("substitution values overrun the record (%d bytes past the end)", cur-p.end)
		return nil
	}
	p.pos = cur
	return &instance{tmpl: t, vals: vals}
}

// template returns the template whose definition starts at chunk offset
// off, decoding and caching it on first use.
func (c *chunkDec) template(off uint32, nest int) *template {
	if t, ok := c.tmpls[off]; ok {
		return t
	}
	t := &template{}
	c.tmpls[off] = t
	o := int(off)
	if nest > maxNesting {
		t.err = fmt.Errorf("%w: templates nested too deep at offset %d", ErrBinXML, off)
		return t
	}
	if o < 0 || o+24 > len(c.b) {
		t.err = fmt.Errorf("%w: template offset %d outside the chunk", ErrBinXML, off)
		return t
	}
	size := int(binary.LittleEndian.Uint32(c.b[o+20:]))
	if size > len(c.b)-o-24 {
		t.err = fmt.Errorf("%w: template at offset %d overruns the chunk", ErrBinXML, off)
		return t
	}
	// Mark as in progress so that a template that refers to itself fails
	// instead of recursing.
	t.err = fmt.Errorf("%w: template at offset %d refers to itself", ErrBinXML, off)
	p := parser{c: c, pos: o + 24, end: o + 24 + size, nest: nest}
	items := p.content(false)
	t.items, t.err = items, p.err
	return t
}

// fragment decodes the binary XML in c.b[start:end].
func (c *chunkDec) fragment(start, end, nest int) ([]item, error) {
	p := parser{c: c, pos: start, end: end, nest: nest}
	items := p.content(false)
	return items, p.err
}

// maxNodes bounds the work of one record: templates and binary XML values
// can refer to each other so that a small record would expand without end.
const maxNodes = 1 << 16

// builder instantiates decoded items into an Element tree.
type builder struct {
	c     *chunkDec
	err   error
	nodes int
	slab  []Element // elements are handed out from blocks, not one by one
}

// Block sizes of the arena and of the element slab; a decoded record keeps
// its blocks alive, so they stay small next to a chunk.
const (
	arenaBlock = 16 << 10
	slabBlock  = 128
)

// attrs returns an empty attribute slice of capacity n cut from a shared
// block; the capacity limit keeps appends from reaching a neighbour's part.
func (b *builder) attrs(n int) []Attr {
	if cap(b.c.attrSlab)-len(b.c.attrSlab) < n {
		b.c.attrSlab = make([]Attr, 0, max(n, 4*slabBlock))
	}
	l := len(b.c.attrSlab)
	b.c.attrSlab = b.c.attrSlab[:l+n]
	return b.c.attrSlab[l : l : l+n]
}

// kids is attrs for child pointers.
func (b *builder) kids(n int) []*Element {
	if cap(b.c.kidSlab)-len(b.c.kidSlab) < n {
		b.c.kidSlab = make([]*Element, 0, max(n, 2*slabBlock))
	}
	l := len(b.c.kidSlab)
	b.c.kidSlab = b.c.kidSlab[:l+n]
	return b.c.kidSlab[l : l : l+n]
}

func (b *builder) newElement(name string) *Element {
	if len(b.slab) == cap(b.slab) {
		// Blocks are shared by the records of a chunk, like the arena.
		b.slab = make([]Element, 0, slabBlock)
	}
	n := len(b.slab)
	b.slab = b.slab[:n+1]
	e := &b.slab[n]
	e.Name = name
	return e
}

func (b *builder) fill(parent *Element, items []item, vals []valueRef, nest int) {
	for i := range items {
		if b.nodes++; b.nodes > maxNodes {
			b.setErr(fmt.Errorf("%w: record expands to more than %d nodes", ErrBinXML, maxNodes))
			return
		}
		it := &items[i]
		switch it.kind {
		case itemText:
			parent.Text += it.text
		case itemElem:
			parent.Children = append(parent.Children, b.element(it.elem, vals, nest))
		case itemInstance:
			if nest >= maxNesting {
				b.setErr(fmt.Errorf("%w: template instances nested too deep", ErrBinXML))
				continue
			}
			b.fill(parent, it.inst.tmpl.items, it.inst.vals, nest+1)
		case itemSubst:
			if int(it.sub) >= len(vals) {
				if !it.optional {
					b.setErr(fmt.Errorf("%w: substitution %d of %d values", ErrBinXML, it.sub, len(vals)))
				}
				continue
			}
			v := vals[it.sub]
			switch v.typ {
			case typeNull:
			case typeBinXML:
				if nest >= maxNesting {
					b.setErr(fmt.Errorf("%w: binary XML values nested too deep", ErrBinXML))
					continue
				}
				sub, err := b.c.fragment(v.off, v.off+v.size, nest+1)
				if err != nil {
					b.setErr(err)
				}
				b.fill(parent, sub, nil, nest+1)
			default:
				s, err := b.c.render(v)
				if err != nil {
					b.setErr(err)
				}
				parent.Text += s
			}
		}
	}
}

func (b *builder) setErr(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) element(t *telem, vals []valueRef, nest int) *Element {
	e := b.newElement(t.name)
	if t.kids > 0 {
		e.Children = b.kids(t.kids)
	}
	if len(t.attrs) > 0 {
		e.Attrs = b.attrs(len(t.attrs))
	}
	for _, a := range t.attrs {
		var s string
		present := false
		for _, it := range a.val {
			if it.kind == itemText {
				s += it.text
				present = true
				continue
			}
			if it.kind != itemSubst || int(it.sub) >= len(vals) {
				continue
			}
			v := vals[it.sub]
			if v.typ == typeNull || (it.optional && v.size == 0 && v.typ != typeString) {
				continue
			}
			present = true
			r, err := b.c.render(v)
			if err != nil {
				b.setErr(err)
			}
			s += r
		}
		if present {
			e.Attrs = append(e.Attrs, Attr{Name: a.name, Value: s})
		}
	}
	b.fill(e, t.content, vals, nest)
	return e
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
