package pbx

// childSpec describes one accessor of the resource tree: the name users
// call it by, where it lives below its parent and what it holds.
type childSpec struct {
	// Name is the accessor name of the original client ("phonebook").
	Name string
	// Segment is appended to the parent's item path ("phonebook/").
	Segment string
	// TypeFilter is sent as ?type= on every verb ("phone" for phones).
	TypeFilter string
	// Kind is the kind of the items; empty means the item's own type
	// decides (the endpoints and sounds lists hold several kinds).
	Kind string
	// Single marks a single object rather than a list (creditstatus).
	Single bool
}

// Kinds of representation. They are the server's item types, except that
// a phone number is a "phonenumber" whatever the server calls it ("did").
const (
	KindCustomer        = "customer"
	KindPhone           = "phone"
	KindVirtual         = "virtual"
	KindGroup           = "group"
	KindQueue           = "queue"
	KindIVR             = "ivr"
	KindMailbox         = "mailbox"
	KindPhoneNumber     = "phonenumber"
	KindPhonebookEntry  = "phonebookentry"
	KindSIPIdentity     = "sipidentity"
	KindLinkedUser      = "linkeduser"
	KindRecording       = "recording"
	KindBillingAccount  = "billingaccount"
	KindCall            = "call"
	KindSMSMessage      = "smsmessage"
	KindPhoneStatus     = "phonestatus"
	KindPrompt          = "prompt"
	KindMusic           = "music"
	KindAuthToken       = "authtoken"
	KindCreditStatus    = "creditstatus"
	KindPreferences     = "customerpreferences"
	KindTimeInterval    = "timeinterval"
	KindOutgoingCallID  = "outgoingcallerid"
	KindCustomerBundle  = "customerbundle"
	KindAvailableBundle = "availablebundle"
)

// tree lists the children of every kind that has some, as
// pbx-api.md documents the API.
var tree = map[string][]childSpec{
	KindCustomer: {
		{Name: "availablebundles", Segment: "callbundles/available/", Kind: KindAvailableBundle},
		{Name: "billing", Segment: "billing/", Kind: KindBillingAccount, Single: true},
		{Name: "calls", Segment: "calls/", Kind: KindCall},
		{Name: "callbundles", Segment: "callbundles/", Kind: KindCustomerBundle},
		{Name: "creditstatus", Segment: "creditstatus/", Kind: KindCreditStatus, Single: true},
		{Name: "endpoints", Segment: "endpoints/"},
		{Name: "phones", Segment: "endpoints/", TypeFilter: "phone", Kind: KindPhone},
		{Name: "virtuals", Segment: "endpoints/", TypeFilter: "virtual", Kind: KindVirtual},
		{Name: "groups", Segment: "endpoints/", TypeFilter: "group", Kind: KindGroup},
		{Name: "queues", Segment: "endpoints/", TypeFilter: "queue", Kind: KindQueue},
		{Name: "ivrs", Segment: "endpoints/", TypeFilter: "ivr", Kind: KindIVR},
		{Name: "mailboxes", Segment: "endpoints/", TypeFilter: "mailbox", Kind: KindMailbox},
		{Name: "linkedusers", Segment: "linkedusers/", Kind: KindLinkedUser},
		{Name: "sounds", Segment: "sounds/"},
		{Name: "prompts", Segment: "sounds/", TypeFilter: "prompt", Kind: KindPrompt},
		{Name: "music", Segment: "sounds/", TypeFilter: "music", Kind: KindMusic},
		{Name: "outgoingcallerids", Segment: "outgoingcallerids/", Kind: KindOutgoingCallID},
		{Name: "phonebook", Segment: "phonebook/", Kind: KindPhonebookEntry},
		{Name: "phonenumbers", Segment: "phonenumbers/", Kind: KindPhoneNumber},
		{Name: "preferences", Segment: "preferences/", Kind: KindPreferences, Single: true},
		{Name: "recordings", Segment: "recordings/", Kind: KindRecording},
		{Name: "smsmessages", Segment: "sms/", Kind: KindSMSMessage},
		{Name: "timeintervals", Segment: "timeintervals/", Kind: KindTimeInterval},
	},
	KindBillingAccount: {
		{Name: "invoices", Segment: "invoices/", Kind: "invoice"},
		{Name: "estimate", Segment: "estimate/", Kind: "estimate", Single: true},
		{Name: "paymentmethods", Segment: "paymentmethods/", Kind: "paymentmethod"},
	},
	KindPhone: {
		{Name: "sip", Segment: "sip/", Kind: KindSIPIdentity, Single: true},
		{Name: "forwardingrules", Segment: "forwardingrules/", Kind: "forwardingrule"},
		// The API spells this path without a trailing slash.
		{Name: "phonestatus", Segment: "phonestatus", Kind: KindPhoneStatus, Single: true},
	},
	KindSIPIdentity: {
		{Name: "registrations", Segment: "registrations/", Kind: "sipregistration"},
	},
	KindQueue: {
		{Name: "entries", Segment: "queueentries/", Kind: "queueentry"},
		{Name: "memberships", Segment: "queuememberships/", Kind: "queuemembership"},
		{Name: "status", Segment: "queuestatus/", Kind: "queuestatus", Single: true},
	},
	KindPhoneNumber: {
		{Name: "routingrules", Segment: "routingrules/", Kind: "routingrule"},
	},
}

// Children returns the accessor names of a kind, in the documented order.
func Children(kind string) []string {
	specs := tree[kind]
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.Name
	}
	return out
}

func childOf(kind, name string) (childSpec, bool) {
	for _, s := range tree[kind] {
		if s.Name == name {
			return s, true
		}
	}
	return childSpec{}, false
}

// kindOf decides the kind of an item of a list whose spec has no fixed
// kind, from the item's own type.
func kindOf(spec childSpec, serverType string) string {
	if spec.Kind != "" {
		return spec.Kind
	}
	if serverType == "did" {
		return KindPhoneNumber
	}
	return serverType
}
