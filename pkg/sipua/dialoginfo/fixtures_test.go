package dialoginfo_test

// Documents used by several tests and as the fuzz seed corpus. They were
// written for these tests following the RFC 4235 schema and the shapes
// that common PBXes produce; none is copied from elsewhere.

// rfcFullTrying: full state, an outgoing call attempt that has just
// started, as in the first notification of RFC 4235's walk-through.
const rfcFullTrying = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="0" state="full" entity="sip:carol@chicago.example.org">
  <dialog id="zxcv0987" call-id="c81f2a6e@host.chicago.example.org"
          local-tag="51aa7c" direction="initiator">
    <state>trying</state>
  </dialog>
</dialog-info>`

// rfcPartialConfirmed: the next notification, partial, once the call is
// answered, with participants, target parameters and a session description.
const rfcPartialConfirmed = `<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="1" state="partial" entity="sip:carol@chicago.example.org">
  <dialog id="zxcv0987" call-id="c81f2a6e@host.chicago.example.org"
          local-tag="51aa7c" remote-tag="e3d9b0" direction="initiator">
    <state event="remote-bye" code="200">
       confirmed
    </state>
    <duration>42</duration>
    <replaces call-id="old-call@host.chicago.example.org" local-tag="a1" remote-tag="b2"/>
    <referred-by display="Dave">sip:dave@chicago.example.org</referred-by>
    <route-set><hop>sip:proxy.chicago.example.org;lr</hop></route-set>
    <local>
      <identity display="Carol &amp; Co">sip:carol@chicago.example.org</identity>
      <target uri="sip:carol@desk7.chicago.example.org">
        <param pname="+sip.rendering" pval="yes"/>
        <param pname="actor" pval="principal"/>
      </target>
      <session-description type="application/sdp">v=0</session-description>
      <cseq>7</cseq>
    </local>
    <remote>
      <identity display="Erin">sip:erin@boston.example.com</identity>
      <target uri="sip:erin@laptop.boston.example.com"/>
    </remote>
  </dialog>
</dialog-info>`

// rfcPartialTerminated: the call ends; the dialog is reported terminated.
const rfcPartialTerminated = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="2" state="partial" entity="sip:carol@chicago.example.org">
  <dialog id="zxcv0987" call-id="c81f2a6e@host.chicago.example.org"
          local-tag="51aa7c" remote-tag="e3d9b0" direction="initiator">
    <state event="local-bye">terminated</state>
  </dialog>
</dialog-info>`

// rfcFullIdle: full state of an entity without dialogs.
const rfcFullIdle = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
             version="5" state="full" entity="sip:carol@chicago.example.org"/>`

// asteriskEarly: an incoming call ringing at extension 201, in the shape
// Asterisk's PJSIP stack uses, with a vendor extension element.
const asteriskEarly = `<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
    xmlns:sa="urn:ietf:params:xml:ns:sa-dialog-info"
    version="12" state="full" entity="sip:201@pbx.example.net">
 <sa:exten>201</sa:exten>
 <dialog id="201" direction="recipient">
  <state>early</state>
  <remote>
   <identity display="Front Desk">sip:100@pbx.example.net</identity>
   <target uri="sip:**201@pbx.example.net"/>
  </remote>
  <local>
   <identity display="Room 201">sip:201@pbx.example.net</identity>
   <target uri="sip:201@pbx.example.net"/>
  </local>
 </dialog>
</dialog-info>`

// asteriskTryingCapitalized: a capitalized, padded state as some
// notifiers send it.
const asteriskTryingCapitalized = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="Full" entity="sip:201@pbx.example.net">
<dialog id="201" direction="Recipient"><state> Trying </state></dialog>
</dialog-info>`

// kamailioConfirmed: an established outgoing call in the shape of
// Kamailio's pua_dialoginfo, with call identifiers and leading zeros in
// the version.
const kamailioConfirmed = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="00007" state="full" entity="sip:201@voip.example.org">
  <dialog id="7f3e1c2d" call-id="7f3e1c2d@198.51.100.20" local-tag="as61d2" remote-tag="k8z0" direction="initiator">
    <state>confirmed</state>
    <local>
      <identity>sip:201@voip.example.org</identity>
      <target uri="sip:201@198.51.100.20:5060"/>
    </local>
    <remote>
      <identity>sip:202@voip.example.org</identity>
      <target uri="sip:202@voip.example.org"/>
    </remote>
  </dialog>
</dialog-info>`

// freeswitchProceeding: FreeSWITCH-like document with target parameters
// and an unknown foreign element inside the dialog.
const freeswitchProceeding = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
    version="9" state="full" entity="sip:1001@fs.example.com">
<dialog id="0c5b9a70-1f2e" direction="recipient">
<state>proceeding</state>
<rpid:activities><rpid:on-the-phone/></rpid:activities>
<local><identity display="1001">sip:1001@fs.example.com</identity><target uri="sip:1001@fs.example.com"><param pname="+sip.rendering" pvalue="no"/></target></local>
<remote><identity display="Sales">sip:2000@fs.example.com</identity><target uri="sip:2000@fs.example.com"/></remote>
</dialog>
</dialog-info>`

// prefixedPartial: every element qualified through a prefix.
const prefixedPartial = `<di:dialog-info xmlns:di="urn:ietf:params:xml:ns:dialog-info" version="8" state="PARTIAL" entity="sip:201@pbx.example.net">
  <di:dialog id="d1" direction="recipient"><di:state>confirmed</di:state></di:dialog>
</di:dialog-info>`

// noNamespace: no namespace declaration at all.
const noNamespace = `<dialog-info version="4" state="full" entity="sip:201@pbx.example.net">
  <dialog id="x"><state>early</state></dialog>
</dialog-info>`

// typical is the document the benchmark parses: one ringing dialog with
// both participants, the common BLF notification.
const typical = asteriskEarly
