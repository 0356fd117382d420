package digest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

// rfc3261Challenge is the WWW-Authenticate example of RFC 3261 §20.44.
const rfc3261Challenge = `Digest realm="atlanta.com", domain="sip:ss1.carrier.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5`

func TestParseChallengeUnderstandsRealWorldSyntax(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  digest.Challenge
	}{
		{
			name:  "RFC 3261 example",
			value: rfc3261Challenge,
			want: digest.Challenge{
				Scheme: "Digest", Realm: "atlanta.com", Domain: "sip:ss1.carrier.com",
				QOP: []string{"auth", "auth-int"}, Nonce: "f84f1cec41e6cbe5aea9c8e88d359",
				Algorithm: "MD5",
			},
		},
		{
			name:  "scheme and parameter names are case-insensitive, values keep their case",
			value: `dIGEST REALM="Atlanta.com", NONCE="AbC", ALGORITHM=sha-256, QOP="auth-int, auth", STALE=true`,
			want: digest.Challenge{
				Scheme: "dIGEST", Realm: "Atlanta.com", Nonce: "AbC", Algorithm: "sha-256",
				QOP: []string{"auth-int", "auth"}, Stale: true,
			},
		},
		{
			name:  "whitespace around '=' and ',' is tolerated",
			value: " \tDigest   realm = \"a\" ,\tnonce=\t\"b\"  ,  algorithm =MD5 ",
			want:  digest.Challenge{Scheme: "Digest", Realm: "a", Nonce: "b", Algorithm: "MD5"},
		},
		{
			name:  "empty list elements are tolerated",
			value: `Digest , realm="a",, ,nonce="b",`,
			want:  digest.Challenge{Scheme: "Digest", Realm: "a", Nonce: "b"},
		},
		{
			name:  "header folding counts as whitespace",
			value: "Digest realm=\"a\",\r\n\tnonce=\"b\",\n qop=\"auth\"",
			want:  digest.Challenge{Scheme: "Digest", Realm: "a", Nonce: "b", QOP: []string{"auth"}},
		},
		{
			name:  "quoted-pairs are unescaped",
			value: `Digest realm="say \"hi\" \\ \o/", nonce="n"`,
			want:  digest.Challenge{Scheme: "Digest", Realm: `say "hi" \ o/`, Nonce: "n"},
		},
		{
			name:  "stale=TRUE, quoted or not, any case",
			value: `Digest realm="a", nonce="b", stale="TRUE"`,
			want:  digest.Challenge{Scheme: "Digest", Realm: "a", Nonce: "b", Stale: true},
		},
		{
			name:  "stale other than true is false",
			value: `Digest realm="a", nonce="b", stale=yes`,
			want:  digest.Challenge{Scheme: "Digest", Realm: "a", Nonce: "b"},
		},
		{
			name:  "unquoted values, including base64 nonces, are accepted",
			value: `Digest realm=asterisk, nonce=abc/def+0==, qop=auth, algorithm=md5`,
			want: digest.Challenge{
				Scheme: "Digest", Realm: "asterisk", Nonce: "abc/def+0==", QOP: []string{"auth"}, Algorithm: "md5",
			},
		},
		{
			name:  "unknown parameters are kept in order with their spelling",
			value: `Digest realm="a", Charset=UTF-8, nonce="b", x-Vendor="one, two", userhash=true`,
			want: digest.Challenge{
				Scheme: "Digest", Realm: "a", Nonce: "b", Userhash: true,
				Params: []digest.Param{{Name: "Charset", Value: "UTF-8"}, {Name: "x-Vendor", Value: "one, two"}},
			},
		},
		{
			name:  "qop option list with stray commas and spaces",
			value: `Digest nonce="b", qop=" auth ,, auth-int ,"`,
			want:  digest.Challenge{Scheme: "Digest", Nonce: "b", QOP: []string{"auth", "auth-int"}},
		},
		{
			name:  "empty qop means none offered",
			value: `Digest nonce="b", qop=""`,
			want:  digest.Challenge{Scheme: "Digest", Nonce: "b"},
		},
		{
			name:  "UTF-8 realm",
			value: `Digest realm="bücher.example", nonce="b"`,
			want:  digest.Challenge{Scheme: "Digest", Realm: "bücher.example", Nonce: "b"},
		},
		{
			name:  "other schemes parse too",
			value: `Basic realm="WallyWorld"`,
			want:  digest.Challenge{Scheme: "Basic", Realm: "WallyWorld"},
		},
		{
			name:  "scheme alone",
			value: `Digest`,
			want:  digest.Challenge{Scheme: "Digest"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := digest.ParseChallenge(tt.value)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRejectsMalformedValuesSayingWhatAndWhere(t *testing.T) {
	tests := []struct {
		name   string
		value  string
		msg    string
		offset int
	}{
		{"empty value", "", "missing auth scheme", 0},
		{"only whitespace", "   ", "missing auth scheme", 3},
		{"missing scheme", `realm="atlanta.com", nonce="x"`, `missing auth scheme before parameter "realm"`, 0},
		{"quoted scheme", `"Digest" realm="x"`, `expected auth scheme, found '"'`, 0},
		{"garbage", `@@@`, `expected auth scheme, found '@'`, 0},
		{"unterminated quoted string", `Digest realm="atlanta.com`, "unterminated quoted string", 13},
		{"unterminated after escaped quote", `Digest realm="a\"`, "unterminated quoted string", 13},
		{"trailing backslash", `Digest realm="a\`, "unterminated quoted string", 13},
		{"parameter without '='", `Digest realm`, `missing '=' after parameter "realm"`, 12},
		{"parameter followed by a value without '='", `Digest realm "x"`, `expected '=' after parameter "realm", found '"'`, 13},
		{"parameter without value at end", `Digest realm=`, `missing value for parameter "realm"`, 13},
		{"parameter without value before comma", `Digest realm=, nonce="x"`, `expected value for parameter "realm", found ','`, 13},
		{"missing comma between parameters", `Digest realm="a" nonce="b"`, `expected ',' after parameter "realm", found 'n'`, 17},
		{"duplicate parameter", `Digest realm="a", REALM="b"`, `duplicate parameter "REALM"`, 18},
		{"bad parameter name", `Digest realm="a", @x=1`, `expected parameter name, found '@'`, 18},
		{"junk glued to scheme", `Digest"realm"`, `unexpected '"' after auth scheme`, 6},
		{"NUL after scheme", "Digest\x00", `unexpected '\x00' after auth scheme`, 6},
		{"CRLF inside a quoted string", "Digest realm=\"a\r\nX-Evil: 1\"", `control character '\r' in quoted string`, 15},
		{"escaped LF inside a quoted string", "Digest realm=\"a\\\n\"", `control character '\n' in quoted string`, 16},
		{"header injection after a value", "Digest realm=\"a\"\r\nX-Evil: 1", "line break not followed by whitespace", 16},
		{"bare LF", "Digest realm=\"a\",\nnonce=\"b\"", "line break not followed by whitespace", 17},
		{"bare CR", "Digest realm=\"a\"\r nonce", "bare CR", 16},
		{"trailing CRLF", "Digest realm=\"a\"\r\n", "line break not followed by whitespace", 16},
		{"token68", `Negotiate YIIB==`, `expected value for parameter "YIIB", found '='`, 15},
		{"token68 without padding", `Negotiate YIIB`, `missing '=' after parameter "YIIB"`, 14},
		{"too long", "Digest realm=\"" + strings.Repeat("a", digest.MaxHeaderLength) + "\"", "value longer than 8192 bytes", 8192},
		{"too many parameters", "Digest " + manyParams(digest.MaxParams+1), "more than 64 parameters", 7 + 8*digest.MaxParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, parse := range []struct {
				header string
				fn     func(string) error
			}{
				{"challenge", func(v string) error { _, err := digest.ParseChallenge(v); return err }},
				{"credentials", func(v string) error { _, err := digest.ParseCredentials(v); return err }},
			} {
				err := parse.fn(tt.value)
				require.Error(t, err)
				assert.ErrorIs(t, err, digest.ErrSyntax)
				var pe *digest.ParseError
				require.True(t, errors.As(err, &pe), "want *ParseError, got %T", err)
				assert.Equal(t, parse.header, pe.Header)
				assert.Equal(t, tt.msg, pe.Msg)
				assert.Equal(t, tt.offset, pe.Offset)
				assert.Equal(t, "digest: parse "+parse.header+": "+tt.msg+" at offset "+itoa(tt.offset), err.Error())
			}
		})
	}
}

// manyParams returns n parameters "pNNN=1, " (8 bytes each).
func manyParams(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("p")
		b.WriteString(pad3(i))
		b.WriteString("=1, ")
	}
	return b.String()
}

func pad3(i int) string {
	s := itoa(i)
	return strings.Repeat("0", 3-len(s)) + s
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestChallengeStringIsAValidHeaderThatParsesBack(t *testing.T) {
	ch, err := digest.ParseChallenge(rfc3261Challenge)
	require.NoError(t, err)
	assert.Equal(t,
		`Digest realm="atlanta.com", domain="sip:ss1.carrier.com", nonce="f84f1cec41e6cbe5aea9c8e88d359", algorithm=MD5, qop="auth,auth-int"`,
		ch.String())

	full := digest.Challenge{
		Scheme: "Digest", Realm: `a "quoted" \ realm`, Domain: "sip:a.example sip:b.example",
		Nonce: "n/o+nce==", Opaque: "op", Stale: true, Algorithm: "SHA-256-sess",
		QOP: []string{"auth", "auth-int"}, Userhash: true,
		Params: []digest.Param{{Name: "charset", Value: "UTF-8"}, {Name: "x-note", Value: "two words"}, {Name: "x-empty", Value: ""}},
	}
	s, err := full.Encode()
	require.NoError(t, err)
	assert.Equal(t,
		`Digest realm="a \"quoted\" \\ realm", domain="sip:a.example sip:b.example", nonce="n/o+nce==", opaque="op", stale=true, algorithm=SHA-256-sess, qop="auth,auth-int", userhash=true, charset=UTF-8, x-note="two words", x-empty=""`,
		s)
	back, err := digest.ParseChallenge(s)
	require.NoError(t, err)
	assert.Equal(t, full, back)
}

func TestChallengeEncodeRefusesValuesThatWouldBreakTheHeader(t *testing.T) {
	tests := []struct {
		name string
		ch   digest.Challenge
	}{
		{"CRLF in realm", digest.Challenge{Realm: "a\r\nX-Evil: 1"}},
		{"LF in nonce", digest.Challenge{Nonce: "a\nb"}},
		{"CR in opaque", digest.Challenge{Opaque: "a\rb"}},
		{"LF in domain", digest.Challenge{Domain: "sip:a\n"}},
		{"LF in algorithm", digest.Challenge{Algorithm: "MD5\n"}},
		{"NUL in a parameter", digest.Challenge{Params: []digest.Param{{Name: "x", Value: "\x00"}}}},
		{"LF in a qop option", digest.Challenge{QOP: []string{"auth\n"}}},
		{"comma in a qop option", digest.Challenge{QOP: []string{"auth,auth-int"}}},
		{"empty qop option", digest.Challenge{QOP: []string{""}}},
		{"scheme with a space", digest.Challenge{Scheme: "Digest realm"}},
		{"parameter name with CRLF", digest.Challenge{Params: []digest.Param{{Name: "x\r\ny", Value: "1"}}}},
		{"parameter shadowing a field", digest.Challenge{Params: []digest.Param{{Name: "Nonce", Value: "1"}}}},
		{"duplicate parameter", digest.Challenge{Params: []digest.Param{{Name: "x", Value: "1"}, {Name: "X", Value: "2"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.ch.Encode()
			require.ErrorIs(t, err, digest.ErrInvalidValue)
			assert.Empty(t, tt.ch.String())
		})
	}
}

func TestParseCredentialsReadsAuthorizationHeaders(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  digest.Credentials
	}{
		{
			name: "RFC 2617 section 3.5 Authorization",
			value: `Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ` +
				`uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", ` +
				`response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"`,
			want: digest.Credentials{
				Scheme: "Digest", Username: "Mufasa", Realm: "testrealm@host.com",
				Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", URI: "/dir/index.html", QOP: "auth",
				NC: "00000001", CNonce: "0a4f113b", Response: "6629fae49393a05397450978507c4ef1",
				Opaque: "5ccc069c403ebaf9f0171e9517f40e41",
			},
		},
		{
			name:  "quoted qop and nc from lenient clients, unknown parameters kept",
			value: `digest USERNAME="bob",realm="biloxi.com",nonce="n",uri="sip:bob@biloxi.com",response="r",qop="auth-int",nc="0000000a",algorithm="SHA-256",userhash=TRUE,charset=UTF-8`,
			want: digest.Credentials{
				Scheme: "digest", Username: "bob", Realm: "biloxi.com", Nonce: "n", URI: "sip:bob@biloxi.com",
				Response: "r", QOP: "auth-int", NC: "0000000a", Algorithm: "SHA-256", Userhash: true,
				Params: []digest.Param{{Name: "charset", Value: "UTF-8"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := digest.ParseCredentials(tt.value)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCredentialsStringIsTheSIPWireForm(t *testing.T) {
	c := digest.Credentials{
		Scheme: "Digest", Username: "bob", Realm: "biloxi.com",
		Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", URI: "sip:bob@biloxi.com",
		Response: "245f23415f11432b3434341c022", Algorithm: "MD5", CNonce: "0a4f113b",
		Opaque: "5ccc069c403ebaf9f0171e9517f40e41", QOP: "auth", NC: "00000001",
	}
	assert.Equal(t,
		`Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", `+
			`response="245f23415f11432b3434341c022", algorithm=MD5, cnonce="0a4f113b", `+
			`opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001`,
		c.String())

	t.Run("RFC 2069 form leaves out cnonce, qop and nc but keeps the required fields", func(t *testing.T) {
		c := digest.Credentials{Username: `we"ird\user`, Realm: "", Nonce: "n", URI: "sip:r", Response: "x"}
		assert.Equal(t, `Digest username="we\"ird\\user", realm="", nonce="n", uri="sip:r", response="x"`, c.String())
	})
}

func TestCredentialsRoundTripThroughString(t *testing.T) {
	tests := []digest.Credentials{
		{
			Scheme: "Digest", Username: "Mufasa", Realm: rfc7616Realm, Nonce: rfc7616Nonce,
			URI: "/dir/index.html", Response: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
			Algorithm: "SHA-256", CNonce: rfc7616CNonce, Opaque: rfc7616Opaque, QOP: "auth", NC: "00000001",
		},
		{
			Scheme: "Digest", Username: `a "quoted", \escaped user`, Realm: "bücher.example", Nonce: "n",
			URI: "sip:bob@biloxi.com;transport=tcp", Response: "r", Userhash: true,
			Params: []digest.Param{{Name: "charset", Value: "UTF-8"}, {Name: "x", Value: "tab\there"}},
		},
		{Scheme: "Digest", Username: "", Realm: "", Nonce: "", URI: "", Response: ""},
		{Scheme: "Digest", Username: "u", Realm: "r", Nonce: "n", URI: "sip:r", Response: "x", QOP: "odd qop", NC: "1 2", Algorithm: "x y"},
	}
	for _, c := range tests {
		s, err := c.Encode()
		require.NoError(t, err)
		back, err := digest.ParseCredentials(s)
		require.NoError(t, err, s)
		assert.Equal(t, c, back, s)
	}
}

func TestCredentialsEncodeRefusesCRAndLF(t *testing.T) {
	valid := digest.Credentials{Username: "u", Realm: "r", Nonce: "n", URI: "sip:r", Response: "x"}
	fields := map[string]func(*digest.Credentials, string){
		"username":  func(c *digest.Credentials, v string) { c.Username = v },
		"realm":     func(c *digest.Credentials, v string) { c.Realm = v },
		"nonce":     func(c *digest.Credentials, v string) { c.Nonce = v },
		"uri":       func(c *digest.Credentials, v string) { c.URI = v },
		"response":  func(c *digest.Credentials, v string) { c.Response = v },
		"algorithm": func(c *digest.Credentials, v string) { c.Algorithm = v },
		"cnonce":    func(c *digest.Credentials, v string) { c.CNonce = v },
		"opaque":    func(c *digest.Credentials, v string) { c.Opaque = v },
		"qop":       func(c *digest.Credentials, v string) { c.QOP = v },
		"nc":        func(c *digest.Credentials, v string) { c.NC = v },
		"param":     func(c *digest.Credentials, v string) { c.Params = []digest.Param{{Name: "x", Value: v}} },
	}
	for name, set := range fields {
		for _, evil := range []string{"a\r\nProxy-Authorization: Digest x=1", "a\nb", "a\rb", "\r\n"} {
			t.Run(name+"/"+strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(evil), func(t *testing.T) {
				c := valid
				set(&c, evil)
				_, err := c.Encode()
				require.ErrorIs(t, err, digest.ErrInvalidValue)
				assert.Empty(t, c.String())
			})
		}
	}
}

func TestCredentialsNonceCountParsesEightHexDigits(t *testing.T) {
	tests := []struct {
		nc   string
		want uint32
		ok   bool
	}{
		{"00000001", 1, true},
		{"0000000a", 10, true},
		{"0000000A", 10, true},
		{"ffffffff", 0xffffffff, true},
		{"", 0, false},
		{"1", 0, false},
		{"000000001", 0, false},
		{"+0000001", 0, false},
		{"0000000g", 0, false},
	}
	for _, tt := range tests {
		got, err := digest.Credentials{NC: tt.nc}.NonceCount()
		if !tt.ok {
			assert.ErrorIs(t, err, digest.ErrInvalidValue, "nc %q", tt.nc)
			continue
		}
		require.NoError(t, err, "nc %q", tt.nc)
		assert.Equal(t, tt.want, got, "nc %q", tt.nc)
	}
}
