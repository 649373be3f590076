package rules

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/adler32"
	"hash/crc32"
	"io"
	"strings"
)

// ErrUndecodable is returned (wrapped) by Codec.Decode for a body whose
// content coding cannot be read: a bad header, a checksum mismatch, a
// truncated stream or bytes after its end. The body is `encoded`.
var ErrUndecodable = errors.New("content encoding cannot be decoded")

// ErrDecodedTooLarge is returned (wrapped) by Codec.Decode for a body that
// decodes to more than its limit (limits.max_decoded_bytes, or the ratio
// limit): the body is `oversize`. Decoding stops at the limit.
var ErrDecodedTooLarge = errors.New("decoded body too large")

// MaxCodings bounds the codings stacked on one body ("gzip, gzip" is two):
// a deeper stack is `encoded`.
const MaxCodings = 3

// coding is one content coding the filter reads and writes.
type coding uint8

// The codings. codingDeflate is "deflate" as a header names it; reading the
// body resolves it to the form the sender used, zlib (RFC 1950, what HTTP
// means by deflate) or raw deflate (RFC 1951, what some servers send).
const (
	codingGzip     coding = iota + 1 // gzip and x-gzip (RFC 1952)
	codingDeflate                    // deflate, form not known yet
	codingZlib                       // deflate in zlib framing
	codingRawFlate                   // deflate without framing
)

// The content-coding names of encodings.decode, as bits of a set.
const (
	decodeGzip uint8 = 1 << iota
	decodeXGzip
	decodeDeflate
	decodeAll = decodeGzip | decodeXGzip | decodeDeflate
)

// codingNames maps the names under encodings.decode to their bit.
var codingNames = map[string]uint8{"gzip": decodeGzip, "x-gzip": decodeXGzip, "deflate": decodeDeflate}

// Encoding is the content codings of one body, in the order they were
// applied (the order its content-encoding values list them), identity left
// out. The zero Encoding is identity.
type Encoding struct {
	codings [MaxCodings]coding
	n       uint8
}

// Identity reports whether the body has no coding to undo.
func (e Encoding) Identity() bool { return e.n == 0 }

// ParseEncoding reads every content-encoding value of a body, in order (two
// headers count as one list): codings are case-insensitive, surrounding
// whitespace and empty list entries are ignored, and so is "identity".
// ok is false when a coding is not gzip, x-gzip or deflate (br, zstd,
// compress, a misspelling), or when more than MaxCodings are stacked.
func ParseEncoding(values []string) (e Encoding, ok bool) {
	return parseEncoding(values, decodeAll)
}

// Encoding is ParseEncoding restricted to the codings under the rule set's
// encodings.decode: any other coding makes ok false (the body is
// `encoded`). With `decode: []` every coding but identity does.
func (p *Program) Encoding(values []string) (Encoding, bool) {
	return parseEncoding(values, p.enc.decode)
}

// parseEncoding is ParseEncoding accepting only the names in the set allowed.
func parseEncoding(values []string, allowed uint8) (e Encoding, ok bool) {
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" || strings.EqualFold(name, "identity") {
				continue
			}
			bit := codingNames[lowerASCII(name)]
			if bit&allowed == 0 || e.n == MaxCodings {
				return Encoding{}, false
			}
			c := codingGzip
			if bit == decodeDeflate {
				c = codingDeflate
			}
			e.codings[e.n] = c
			e.n++
		}
	}
	return e, true
}

// Codec decodes and encodes bodies, reusing its readers, its compressor
// and its buffers from one body to the next. A decoded or encoded body it
// returns is valid until the next call of the same method. Not safe for
// concurrent use: the plugin keeps one per plugin context (a VM runs one
// callback at a time). The zero Codec is ready to use.
type Codec struct {
	src   bytes.Reader
	gzip  gzip.Reader
	zlib  io.ReadCloser // a zlib.Resetter, made on first use
	flate io.ReadCloser // a flate.Resetter, made on first use
	w     *flate.Writer // made on first use (about 1 MB): one for every coding
	sink  sink
	dec   [2][]byte // the decoded layers, alternately
	enc   [2][]byte // the encoded layers, alternately
}

// Decode undoes enc's codings on body, the last applied first, and returns
// the decoded body and enc with each deflate resolved to the form read, for
// Encode. Each layer may decode to at most limit bytes: beyond, decoding
// stops and the error is ErrDecodedTooLarge, having held no more than
// limit+1 decoded bytes. A layer that does not decode completely and exactly (bad header or
// checksum, truncated, bytes after the end) is ErrUndecodable. A gzip layer
// of several members decodes to all of them, as clients read it. An
// identity enc returns body itself.
func (c *Codec) Decode(enc Encoding, body []byte, limit int) ([]byte, Encoding, error) {
	src := body
	for i := int(enc.n) - 1; i >= 0; i-- {
		k := int(enc.n-1) - i // which buffer: alternate from 0
		out, form, err := c.decodeLayer(enc.codings[i], src, c.dec[k%2][:0], limit, false)
		c.dec[k%2] = out[:0]
		if err != nil {
			return nil, enc, err
		}
		enc.codings[i] = form
		src = out
	}
	return src, enc, nil
}

// DecodePrefix decodes the start of a body that may have arrived only in
// part (body is its first bytes): at most n decoded bytes, for sniffing.
// complete reports that prefix is the whole decoded body; err is
// ErrUndecodable when the bytes so far already cannot be a body of enc's
// codings. Input running out is not an error here.
func (c *Codec) DecodePrefix(enc Encoding, body []byte, n int) (prefix []byte, complete bool, err error) {
	// an inner layer needs more than n bytes for the next to yield n
	const innerBytes = 16 << 10
	src, complete := body, true
	for i := int(enc.n) - 1; i >= 0; i-- {
		k := int(enc.n-1) - i
		limit := innerBytes
		if i == 0 {
			limit = n
		}
		out, _, err := c.decodeLayer(enc.codings[i], src, c.dec[k%2][:0], limit, true)
		c.dec[k%2] = out[:0]
		switch {
		case errors.Is(err, errTruncated), errors.Is(err, ErrDecodedTooLarge):
			complete = false
		case err != nil:
			return nil, false, err
		}
		src = out
	}
	return src[:min(len(src), n)], complete, nil
}

// errTruncated is decodeLayer's error for input that ends early when
// partial input is allowed.
var errTruncated = errors.New("truncated")

// decodeLayer decodes one coding of src into dst (reused), reading at most
// limit+1 decoded bytes. With partial, src may be a body's first bytes:
// running out of input is errTruncated, and bytes after the end are not
// checked. It returns the form read (a deflate's zlib or raw form).
func (c *Codec) decodeLayer(k coding, src, dst []byte, limit int, partial bool) ([]byte, coding, error) {
	switch k {
	case codingGzip:
		out, err := c.readGzip(src, dst, limit, partial)
		return out, k, err
	case codingZlib, codingRawFlate:
		out, err := c.readFlate(k, src, dst, limit, partial)
		return out, k, err
	}
	// deflate: zlib when its header says so, raw deflate when that fails
	if zlibHeader(src) {
		out, err := c.readFlate(codingZlib, src, dst, limit, partial)
		if err == nil || !errors.Is(err, ErrUndecodable) {
			return out, codingZlib, err
		}
		dst = out
	}
	out, err := c.readFlate(codingRawFlate, src, dst, limit, partial)
	return out, codingRawFlate, err
}

// zlibHeader reports whether b starts with a zlib header (RFC 1950 §2.2):
// deflate with a window of at most 32 KiB, no preset dictionary, and the
// check bits right.
func zlibHeader(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && b[1]&0x20 == 0 && (uint(b[0])<<8|uint(b[1]))%31 == 0
}

// readGzip reads every member of a gzip body (gzip.Reader reads the next
// header after each member: bytes after the last member that are not one
// fail). A body not starting with gzip's magic fails at once, even partial.
func (c *Codec) readGzip(src, dst []byte, limit int, partial bool) ([]byte, error) {
	if len(src) >= 2 && (src[0] != 0x1f || src[1] != 0x8b) {
		return dst[:0], readError(gzip.ErrHeader, partial) // before gzip.Reader waits for 10 bytes
	}
	c.src.Reset(src)
	if err := c.gzip.Reset(&c.src); err != nil {
		return dst[:0], readError(err, partial)
	}
	out, err := readLimited(&c.gzip, dst, limit)
	return out, readError(err, partial)
}

// readFlate reads a zlib (k is codingZlib) or raw deflate body, which must
// end where src ends.
func (c *Codec) readFlate(k coding, src, dst []byte, limit int, partial bool) ([]byte, error) {
	c.src.Reset(src)
	var r io.Reader
	var err error
	if k == codingZlib {
		if c.zlib == nil {
			c.zlib, err = zlib.NewReader(&c.src)
		} else {
			err = c.zlib.(zlib.Resetter).Reset(&c.src, nil)
		}
		r = c.zlib
	} else {
		if c.flate == nil {
			c.flate = flate.NewReader(&c.src)
		} else {
			err = c.flate.(flate.Resetter).Reset(&c.src, nil)
		}
		r = c.flate
	}
	if err != nil {
		return dst[:0], readError(err, partial)
	}
	out, err := readLimited(r, dst, limit)
	if err == nil && !partial && c.src.Len() > 0 {
		err = errors.New("bytes after the end of the stream")
	}
	return out, readError(err, partial)
}

// readError classifies a reader's error: ErrDecodedTooLarge as is, input
// running out as errTruncated when partial, anything else ErrUndecodable.
func readError(err error, partial bool) error {
	switch {
	case err == nil, errors.Is(err, ErrDecodedTooLarge):
		return err
	case partial && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)):
		return errTruncated
	}
	return errors.Join(ErrUndecodable, err)
}

// readLimited reads r to its end into dst[:0], growing dst as it goes but
// never past limit+1 bytes: a body decoding to more is ErrDecodedTooLarge
// once limit+1 bytes are read, whatever it would have become.
func readLimited(r io.Reader, dst []byte, limit int) ([]byte, error) {
	dst = dst[:0]
	for {
		if len(dst) == cap(dst) {
			if len(dst) > limit {
				return dst, ErrDecodedTooLarge
			}
			grown := make([]byte, len(dst), min(max(2*cap(dst), 4<<10), limit+1))
			copy(grown, dst)
			dst = grown
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		switch {
		case len(dst) > limit:
			return dst, ErrDecodedTooLarge
		case err == io.EOF:
			return dst, nil
		case err != nil:
			return dst, err
		}
	}
}

// encodeLevel is the compression level of re-encoded bodies: flate's
// fastest, about 3× faster than the default level (6) on JSON for about 20%
// more bytes; the sender chose to compress for size, the filter keeps the
// cost of its own pass low.
const encodeLevel = flate.BestSpeed

// Encode applies enc's codings to body in order (the first applied first)
// and returns the encoded body; an identity enc returns body itself. gzip is
// written as one member; a deflate enc read from a body (Decode) is written
// in the form read, zlib otherwise.
func (c *Codec) Encode(enc Encoding, body []byte) ([]byte, error) {
	src := body
	for i := range int(enc.n) {
		out, err := c.encodeLayer(enc.codings[i], src, c.enc[i%2][:0])
		c.enc[i%2] = out[:0]
		if err != nil {
			return nil, err
		}
		src = out
	}
	return src, nil
}

// encodeLayer writes src in coding k, appending to dst. The framing of gzip
// (RFC 1952: header, deflate, CRC-32, size) and zlib (RFC 1950: header,
// deflate, Adler-32) is written here around one shared deflate compressor.
func (c *Codec) encodeLayer(k coding, src, dst []byte) ([]byte, error) {
	switch k {
	case codingGzip:
		// ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown), as gzip.Writer writes it
		dst = append(dst, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff)
	case codingZlib, codingDeflate:
		dst = append(dst, 0x78, 0x01) // 32 KiB window; FLEVEL 0 (fastest), check bits
	}
	c.sink.b = dst
	if c.w == nil {
		w, err := flate.NewWriter(&c.sink, encodeLevel)
		if err != nil {
			return dst, err
		}
		c.w = w
	} else {
		c.w.Reset(&c.sink)
	}
	if _, err := c.w.Write(src); err != nil {
		return c.sink.b, err
	}
	if err := c.w.Close(); err != nil {
		return c.sink.b, err
	}
	dst = c.sink.b
	c.sink.b = nil
	switch k {
	case codingGzip:
		dst = binary.LittleEndian.AppendUint32(dst, crc32.ChecksumIEEE(src))
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(src)))
	case codingZlib, codingDeflate:
		dst = binary.BigEndian.AppendUint32(dst, adler32.Checksum(src))
	}
	return dst, nil
}

// sink is an io.Writer appending to b.
type sink struct{ b []byte }

// Write appends p to the sink.
func (s *sink) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}
