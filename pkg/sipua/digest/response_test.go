package digest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/digest"
)

// RFC 7616 §3.9.1 example values. Note that RFC 7616 uses the password
// "Circle of Life" (lower-case "of"), whereas RFC 2617 §3.5 uses
// "Circle Of Life".
const (
	rfc7616Realm    = "http-auth@example.org"
	rfc7616Nonce    = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
	rfc7616CNonce   = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
	rfc7616Opaque   = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
	rfc7616Password = "Circle of Life"
)

func TestResponseMatchesRFCExamples(t *testing.T) {
	tests := []struct {
		name     string
		in       digest.Input
		password string
		want     string
	}{
		{
			name: "RFC 2617 section 3.5, MD5 qop=auth",
			in: digest.Input{
				Username: "Mufasa", Realm: "testrealm@host.com",
				Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", CNonce: "0a4f113b", NC: "00000001",
				QOP: "auth", Method: "GET", URI: "/dir/index.html",
			},
			password: "Circle Of Life",
			want:     "6629fae49393a05397450978507c4ef1",
		},
		{
			name: "RFC 7616 section 3.9.1, MD5",
			in: digest.Input{
				Algorithm: "MD5", Username: "Mufasa", Realm: rfc7616Realm,
				Nonce: rfc7616Nonce, CNonce: rfc7616CNonce, NC: "00000001",
				QOP: "auth", Method: "GET", URI: "/dir/index.html",
			},
			password: rfc7616Password,
			want:     "8ca523f5e9506fed4657c9700eebdbec",
		},
		{
			name: "RFC 7616 section 3.9.1, SHA-256",
			in: digest.Input{
				Algorithm: "SHA-256", Username: "Mufasa", Realm: rfc7616Realm,
				Nonce: rfc7616Nonce, CNonce: rfc7616CNonce, NC: "00000001",
				QOP: "auth", Method: "GET", URI: "/dir/index.html",
			},
			password: rfc7616Password,
			want:     "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
		},
		{
			name: "algorithm names are case-insensitive",
			in: digest.Input{
				Algorithm: "sha-256", Username: "Mufasa", Realm: rfc7616Realm,
				Nonce: rfc7616Nonce, CNonce: rfc7616CNonce, NC: "00000001",
				QOP: "auth", Method: "GET", URI: "/dir/index.html",
			},
			password: rfc7616Password,
			want:     "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := digest.Response(tt.in, tt.password)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestResponseFollowsTheRFCFormulas(t *testing.T) {
	const (
		user   = "alice"
		realm  = "atlanta.example.com"
		pass   = "s3cr3t:with:colons"
		nonce  = "f84f1cec41e6cbe5aea9c8e88d359"
		cnonce = "0a4f113b"
		nc     = "00000002"
		method = "INVITE"
		uri    = "sip:bob@biloxi.example.com"
	)
	sdp := "v=0\r\n" +
		"o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com\r\n" +
		"s=-\r\n" +
		"c=IN IP4 192.0.2.101\r\n" +
		"t=0 0\r\n" +
		"m=audio 49172 RTP/AVP 0\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n"
	// H("") for MD5, a well-known constant.
	const md5OfEmpty = "d41d8cd98f00b204e9800998ecf8427e"

	ha1MD5 := md5hex(user + ":" + realm + ":" + pass)
	ha1SHA := sha256hex(user + ":" + realm + ":" + pass)

	tests := []struct {
		name string
		in   digest.Input
		want string
	}{
		{
			name: "MD5 qop=auth-int hashes the SIP body into A2",
			in:   digest.Input{QOP: "auth-int", Body: []byte(sdp)},
			want: md5hex(ha1MD5 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth-int:" +
				md5hex(method+":"+uri+":"+md5hex(sdp))),
		},
		{
			name: "MD5 qop=auth-int with an empty body hashes the empty string",
			in:   digest.Input{QOP: "auth-int", Body: []byte{}},
			want: md5hex(ha1MD5 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth-int:" +
				md5hex(method+":"+uri+":"+md5OfEmpty)),
		},
		{
			name: "MD5 qop=auth-int with a nil body hashes the empty string",
			in:   digest.Input{QOP: "auth-int"},
			want: md5hex(ha1MD5 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth-int:" +
				md5hex(method+":"+uri+":"+md5OfEmpty)),
		},
		{
			name: "SHA-256 qop=auth-int uses SHA-256 for H(body) too",
			in:   digest.Input{Algorithm: "SHA-256", QOP: "auth-int", Body: []byte(sdp)},
			want: sha256hex(ha1SHA + ":" + nonce + ":" + nc + ":" + cnonce + ":auth-int:" +
				sha256hex(method+":"+uri+":"+sha256hex(sdp))),
		},
		{
			name: "qop=auth ignores the body",
			in:   digest.Input{QOP: "auth", Body: []byte(sdp)},
			want: md5hex(ha1MD5 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + md5hex(method+":"+uri)),
		},
		{
			name: "no qop is the RFC 2069 form without nc and cnonce",
			in:   digest.Input{},
			want: md5hex(ha1MD5 + ":" + nonce + ":" + md5hex(method+":"+uri)),
		},
		{
			name: "MD5-sess folds nonce and cnonce into A1",
			in:   digest.Input{Algorithm: "MD5-sess", QOP: "auth"},
			want: md5hex(md5hex(ha1MD5+":"+nonce+":"+cnonce) + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" +
				md5hex(method+":"+uri)),
		},
		{
			name: "SHA-256-sess folds nonce and cnonce into A1",
			in:   digest.Input{Algorithm: "SHA-256-sess", QOP: "auth"},
			want: sha256hex(sha256hex(ha1SHA+":"+nonce+":"+cnonce) + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" +
				sha256hex(method+":"+uri)),
		},
		{
			name: "SHA-256-sess with auth-int",
			in:   digest.Input{Algorithm: "sha-256-SESS", QOP: "auth-int", Body: []byte(sdp)},
			want: sha256hex(sha256hex(ha1SHA+":"+nonce+":"+cnonce) + ":" + nonce + ":" + nc + ":" + cnonce + ":auth-int:" +
				sha256hex(method+":"+uri+":"+sha256hex(sdp))),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Username, in.Realm, in.Nonce, in.Method, in.URI = user, realm, nonce, method, uri
			if in.QOP != "" {
				in.CNonce, in.NC = cnonce, nc
			}
			got, err := digest.Response(in, pass)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)

			ha1, err := digest.HA1(in.Algorithm, user, realm, pass)
			require.NoError(t, err)
			viaHA1, err := digest.ResponseWithHA1(in, ha1)
			require.NoError(t, err)
			assert.Equal(t, tt.want, viaHA1, "ResponseWithHA1 agrees with Response")
		})
	}
}

func TestResponseRejectsIncompleteOrUnsupportedInput(t *testing.T) {
	base := digest.Input{
		Username: "u", Realm: "r", Nonce: "n", CNonce: "c", NC: "00000001",
		QOP: "auth", Method: "REGISTER", URI: "sip:r",
	}
	tests := []struct {
		name   string
		modify func(*digest.Input)
		want   error
	}{
		{"unknown algorithm", func(in *digest.Input) { in.Algorithm = "SHA-512-256" }, digest.ErrUnsupportedAlgorithm},
		{"made-up algorithm", func(in *digest.Input) { in.Algorithm = "AKAv1-MD5" }, digest.ErrUnsupportedAlgorithm},
		{"unknown qop", func(in *digest.Input) { in.QOP = "auth-conf" }, digest.ErrUnsupportedQOP},
		{"qop without nc", func(in *digest.Input) { in.NC = "" }, digest.ErrMissingParameter},
		{"qop without cnonce", func(in *digest.Input) { in.CNonce = "" }, digest.ErrMissingParameter},
		{"sess without cnonce", func(in *digest.Input) { in.Algorithm, in.QOP, in.CNonce = "MD5-sess", "", "" }, digest.ErrMissingParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			tt.modify(&in)
			_, err := digest.Response(in, "pw")
			require.ErrorIs(t, err, tt.want)
			_, err = digest.ResponseWithHA1(in, md5hex("u:r:pw"))
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestResponseWithHA1AcceptsUppercaseAndRejectsMalformedHA1(t *testing.T) {
	in := digest.Input{Username: "u", Realm: "r", Nonce: "n", Method: "REGISTER", URI: "sip:r"}
	want, err := digest.Response(in, "pw")
	require.NoError(t, err)

	ha1, err := digest.HA1("", "u", "r", "pw")
	require.NoError(t, err)
	assert.Equal(t, md5hex("u:r:pw"), ha1)

	upper := make([]byte, len(ha1))
	for i := range upper {
		c := ha1[i]
		if 'a' <= c && c <= 'f' {
			c -= 'a' - 'A'
		}
		upper[i] = c
	}
	got, err := digest.ResponseWithHA1(in, string(upper))
	require.NoError(t, err)
	assert.Equal(t, want, got)

	for _, bad := range []string{"", ha1[:31], ha1 + "0", "zz" + ha1[2:], sha256hex("u:r:pw")} {
		_, err := digest.ResponseWithHA1(in, bad)
		assert.ErrorIs(t, err, digest.ErrInvalidValue, "HA1 %q", bad)
	}
}

func TestHA1AndUserHashUseTheAlgorithmsHash(t *testing.T) {
	ha1, err := digest.HA1("SHA-256-sess", "Mufasa", rfc7616Realm, rfc7616Password)
	require.NoError(t, err)
	assert.Equal(t, sha256hex("Mufasa:"+rfc7616Realm+":"+rfc7616Password), ha1)

	uh, err := digest.UserHash("SHA-256", "Mufasa", rfc7616Realm)
	require.NoError(t, err)
	assert.Equal(t, sha256hex("Mufasa:"+rfc7616Realm), uh)

	uh, err = digest.UserHash("", "bob", "biloxi.com")
	require.NoError(t, err)
	assert.Equal(t, md5hex("bob:biloxi.com"), uh)

	_, err = digest.HA1("SHA-1", "u", "r", "p")
	assert.ErrorIs(t, err, digest.ErrUnsupportedAlgorithm)
	_, err = digest.UserHash("SHA-1", "u", "r")
	assert.ErrorIs(t, err, digest.ErrUnsupportedAlgorithm)
}

func TestSupportedAlgorithmIsCaseInsensitiveAndDefaultsToMD5(t *testing.T) {
	for _, name := range []string{"", "MD5", "md5", "MD5-sess", "md5-SESS", "SHA-256", "sha-256", "SHA-256-sess"} {
		assert.True(t, digest.SupportedAlgorithm(name), name)
	}
	for _, name := range []string{"SHA-512-256", "SHA256", "MD5 ", "AKAv1-MD5", "sess"} {
		assert.False(t, digest.SupportedAlgorithm(name), name)
	}
}
