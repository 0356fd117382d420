package sipmsg_test

import (
	"fmt"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

func ExampleParse() {
	data := []byte("SIP/2.0 180 Ringing\r\n" +
		"v: SIP/2.0/WSS a1b2c3.invalid;branch=z9hG4bK4f1a;received=192.0.2.7\r\n" +
		"f: \"Alice\" <sip:200@pbx.example.com>;tag=ab12\r\n" +
		"t: <sip:201@pbx.example.com>;tag=cd34\r\n" +
		"i: 8d0c7f1e\r\n" +
		"CSeq: 2 INVITE\r\n" +
		"l: 0\r\n\r\n")
	m, err := sipmsg.Parse(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	via, _ := m.TopVia()
	from, _ := m.From()
	cseq, _ := m.CSeq()
	fmt.Println(m.StatusCode, m.Reason)
	fmt.Println(via.Transport, via.Branch(), via.Received())
	fmt.Println(from.DisplayName, from.URI.User, from.Tag())
	fmt.Println(cseq.Seq, cseq.Method, m.ToTag(), m.CallID())
	// Output:
	// 180 Ringing
	// WSS z9hG4bK4f1a 192.0.2.7
	// Alice 200 ab12
	// 2 INVITE cd34 8d0c7f1e
}

func ExampleBuildRequest() {
	target, err := sipmsg.ParseTarget("201", "pbx.example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	me, _ := sipmsg.ParseURI("sip:200@pbx.example.com")
	req, err := sipmsg.BuildRequest(sipmsg.RequestSpec{
		Method: sipmsg.MESSAGE,
		URI:    target,
		Via:    sipmsg.Via{Host: "a1b2c3.invalid"},
		From:   sipmsg.Address{DisplayName: "Alice", URI: me},
		To:     sipmsg.Address{URI: target},
		CallID: "example-call-id", CSeq: 1,
		ContentType: "text/plain", Body: []byte("hello"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Method, req.RequestURI.String())
	fmt.Println(req.Get("To"))
	fmt.Println(req.Get("Content-Type"), string(req.Body))
	// Output:
	// MESSAGE sip:201@pbx.example.com
	// <sip:201@pbx.example.com>
	// text/plain hello
}

func ExampleParseTarget_refusesInjection() {
	_, err := sipmsg.ParseTarget("100\r\nX-Evil: 1", "pbx.example.com")
	fmt.Println(err)
	// Output:
	// sipmsg: unsafe value: dial target contains CR, LF or NUL
}
