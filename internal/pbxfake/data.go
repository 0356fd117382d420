package pbxfake

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Login is a seeded portal user of the fake.
type Login struct {
	Username string
	Password string
	// AccessLevel is the linkeduser's access level (CUSTOMER, EXTENSION,
	// RESELLER), "" for a user without a linkeduser.
	AccessLevel string
	// CustomerID is the user's own customer, what "me" means; "" for none.
	CustomerID string
	// Customers are the customers the user may see, in the order of
	// GET /customers/.
	Customers []string
	// LinkedUserID is the user's linkeduser in CustomerID.
	LinkedUserID string
	// DefaultExtension is the id of the user's default endpoint, "" for none.
	DefaultExtension string
}

func (l *Login) sees(customerID string) bool { return slices.Contains(l.Customers, customerID) }

// Logins returns the seeded portal users (the same for every Server).
func Logins() []Login { return seed().logins }

// SIPDomain is the domain of every seeded sipidentity.
const SIPDomain = "sip.sipcentric.com"

// epoch is the creation time of the seed data; later seed items are offsets
// from it.
var epoch = time.Date(2024, time.March, 4, 9, 0, 0, 0, time.UTC)

func hours(h int) time.Time { return epoch.Add(time.Duration(h) * time.Hour) }

// sipUsername is the SIP username of a phone: its id zero-padded to 6 digits.
func sipUsername(endpointID string) string {
	n, _ := strconv.Atoi(endpointID)
	return fmt.Sprintf("%06d", n)
}

// customerSpec describes one seeded customer. Customer k has id 1000+k,
// endpoints 1000*(k+1)+i and other ids base+100*k+i.
type customerSpec struct {
	k                    int
	company, first, last string
	phones               []string // names of the phones
	contacts             int      // phonebook entries
	full                 bool     // seed every resource, not only the skeleton
	users                []userSpec
	creditType           string
	balance              float64
	calls, recordings    int
	sms                  int
}

type userSpec struct {
	username, first, last, level string
	phone                        int // 1-based index into phones, 0 for none
	owner                        bool
}

// seed builds the deterministic seed data.
func seed() *store {
	st := newStore()
	specs := []customerSpec{
		{k: 1, company: "Acme Widgets Ltd", first: "Alice", last: "Smith",
			phones: []string{"Alice Smith", "Bob Jones", "Reception"}, contacts: 23, full: true,
			users: []userSpec{
				{"alice", "Alice", "Smith", "CUSTOMER", 1, true},
				{"bob", "Bob", "Jones", "EXTENSION", 2, false},
			},
			creditType: "POSTPAID", balance: 42.5, calls: 12, recordings: 3, sms: 4},
		{k: 2, company: "Bravo Bakery", first: "Carol", last: "White",
			phones: []string{"Carol White", "Dave Brown", "Warehouse"}, contacts: 3, full: true,
			users:      []userSpec{{"carol", "Carol", "White", "CUSTOMER", 1, true}},
			creditType: "PREPAID", balance: 10, calls: 4, recordings: 1, sms: 1},
	}
	for k := 3; k <= 25; k++ {
		s := customerSpec{k: k, company: fmt.Sprintf("Customer %d Ltd", 1000+k), first: "Pat",
			last: fmt.Sprintf("Owner%d", k), creditType: "PREPAID"}
		if k == 3 {
			s.company = "Wholesale Reseller Ltd"
			s.users = []userSpec{{"reseller", "Rita", "Seller", "RESELLER", 0, true}}
		}
		specs = append(specs, s)
	}
	var all []string
	for _, s := range specs {
		all = append(all, strconv.Itoa(1000+s.k))
	}
	for _, s := range specs {
		st.seedCustomer(s)
		cid := strconv.Itoa(1000 + s.k)
		for j, u := range s.users {
			l := Login{Username: u.username, Password: u.username + "-secret", AccessLevel: u.level,
				CustomerID: cid, Customers: []string{cid}, LinkedUserID: strconv.Itoa(5000 + 100*s.k + j + 1)}
			if u.phone > 0 {
				l.DefaultExtension = strconv.Itoa(1000*(s.k+1) + u.phone)
			}
			if u.level == "RESELLER" {
				l.Customers = slices.Clone(all)
			}
			st.logins = append(st.logins, l)
		}
	}
	st.logins = append(st.logins, Login{Username: "nobody", Password: "nobody-secret"})
	return st
}

// Sub-collections and single objects of every customer.
var (
	customerLists = []string{"callbundles", "callbundles/available", "calls", "endpoints", "linkedusers",
		"outgoingcallerids", "phonebook", "phonenumbers", "recordings", "sms", "sounds", "timeintervals",
		"billing/invoices", "billing/paymentmethods"}
	customerLinks = map[string]string{"availablebundles": "callbundles/available", "billing": "billing",
		"callbundles": "callbundles", "calls": "calls", "creditstatus": "creditstatus", "endpoints": "endpoints",
		"linkedusers": "linkedusers", "outgoingcallerids": "outgoingcallerids", "phonebook": "phonebook",
		"phonenumbers": "phonenumbers", "preferences": "preferences", "recordings": "recordings",
		"sms": "sms", "sounds": "sounds", "timeintervals": "timeintervals"}
)

func (st *store) seedCustomer(s customerSpec) {
	k := s.k
	cid := strconv.Itoa(1000 + k)
	cp := "/customers/" + cid
	id := func(base, i int) string { return strconv.Itoa(base + 100*k + i) }
	email := func(first, last string) string {
		return strings.ToLower(first+"."+last) + "@" + strings.ToLower(strings.Fields(s.company)[0]) + ".example.com"
	}

	c := st.add("/customers", cid, "customer", hours(24*k), map[string]any{
		"accountType": "BUSINESS", "company": s.company, "firstName": s.first, "lastName": s.last,
		"telephone": fmt.Sprintf("01134960%03d", k), "email": email(s.first, s.last),
		"address1": fmt.Sprintf("%d High Street", k), "address2": "", "city": "Leeds",
		"postcode": "LS1 1AA", "country": "GB", "properties": []any{}, "enabled": true, "partnerId": nil,
	})
	for name, sub := range customerLinks {
		c.links[name] = cp + "/" + sub
	}
	for _, l := range customerLists {
		st.list(cp + "/" + l)
	}
	st.single(cp+"/creditstatus", "creditstatus", map[string]any{"accountType": s.creditType, "balance": s.balance})
	st.single(cp+"/preferences", "customerpreferences", map[string]any{
		"timezone": "Europe/London", "locale": "en_GB", "recordingRetentionDays": 90, "voicemailToEmail": true})
	b := st.single(cp+"/billing", "billingaccount", map[string]any{
		"name": s.company, "email": "accounts@" + strings.ToLower(strings.Fields(s.company)[0]) + ".example.com",
		"currency": "GBP", "billingDay": 1, "accountType": s.creditType})
	b.links = map[string]string{"invoices": cp + "/billing/invoices", "estimate": cp + "/billing/estimate",
		"paymentMethods": cp + "/billing/paymentmethods"}
	st.single(cp+"/billing/estimate", "estimate", map[string]any{
		"periodStart": "2024-04-01", "periodEnd": "2024-04-30", "subtotal": 0.0, "tax": 0.0, "total": 0.0, "currency": "GBP"})

	for j, u := range s.users {
		lu := st.add(cp+"/linkedusers", id(5000, j+1), "linkeduser", hours(24*k+j+1), map[string]any{
			"accessLevel": u.level, "email": email(u.first, u.last), "enabled": true, "owner": u.owner,
			"recordingAccess": map[bool]string{true: "ALL", false: "OWN"}[u.owner],
			"firstName":       u.first, "lastName": u.last, "username": u.username,
		})
		if u.phone > 0 {
			lu.rels["defaultExtension"] = fmt.Sprintf("%s/endpoints/%d", cp, 1000*(k+1)+u.phone)
		}
	}
	if !s.full {
		return
	}
	st.seedTelephony(s, cp, id)
	st.seedActivity(s, cp, id)
	st.seedAccount(s, cp, id)
}

// seedTelephony seeds endpoints, sounds, time intervals and phone numbers.
func (st *store) seedTelephony(s customerSpec, cp string, id func(base, i int) string) {
	k := s.k
	ep := func(i int) string { return strconv.Itoa(1000*(k+1) + i) }
	epPath := func(i int) string { return cp + "/endpoints/" + ep(i) }
	mobile := fmt.Sprintf("44770090%04d", 100*k+1)
	geo := fmt.Sprintf("44121496%04d", 100*k+1)
	at := func(i int) time.Time { return hours(24*k + 2 + i) }
	email := strings.ToLower(strings.Fields(s.company)[0]) + ".example.com"

	for j, name := range []string{"Welcome message", "Out of hours"} {
		st.add(cp+"/sounds", id(10000, j+1), "prompt", at(j), map[string]any{"name": name, "size": len(wav(j + 1))})
	}
	for j, name := range []string{"Hold music - classical", "Hold music - jazz"} {
		st.add(cp+"/sounds", id(10000, j+3), "music", at(j), map[string]any{
			"name": name, "size": len(wav(j + 3)), "enabled": j == 0})
	}
	office := st.add(cp+"/timeintervals", id(11000, 1), "timeinterval", at(0), map[string]any{
		"name": "Office hours", "shared": true, "repeat": "WEEKLY", "includedTimes": []any{map[string]any{
			"daysOfWeek": []any{"MON", "TUE", "WED", "THU", "FRI"}, "startTime": "09:00", "endTime": "17:30"}}})
	st.add(cp+"/timeintervals", id(11000, 2), "timeinterval", at(1), map[string]any{
		"name": "Christmas Day", "shared": false, "repeat": "YEARLY", "includedTimes": []any{map[string]any{
			"month": "DEC", "dayOfMonth": 25, "startTime": "00:00", "endTime": "23:59"}}})

	phones := len(s.phones)
	for i, name := range s.phones {
		n := i + 1
		first := strings.Fields(name)[0]
		p := st.add(cp+"/endpoints", ep(n), "phone", at(n), map[string]any{
			"shortNumber": strconv.Itoa(200 + n), "name": name, "email": strings.ToLower(first) + "@" + email,
			"timeout": 20, "callWaiting": true, "callRecording": []string{"OFF", "ALWAYS", "ON_DEMAND"}[i%3],
			"voicemailEnabled": true, "defaultCallerId": geo,
			"voicemailSettings": map[string]any{"pin": "0000", "emailNotification": true, "attachAudio": false},
		})
		pp := p.path
		p.links = map[string]string{"sip": pp + "/sip", "forwardingRules": pp + "/forwardingrules", "phoneStatus": pp + "/phonestatus"}
		sip := st.single(pp+"/sip", "sipidentity", map[string]any{
			"username": sipUsername(ep(n)), "password": "sip-secret-" + ep(n), "domain": SIPDomain})
		sip.links = map[string]string{"registrations": pp + "/sip/registrations"}
		st.single(pp+"/phonestatus", "phonestatus", map[string]any{"dndActive": false})
		st.list(pp + "/sip/registrations")
		st.list(pp + "/forwardingrules")
		for r := 1; r <= n-1 && r <= 2; r++ { // phone 2 has one registration, phone 3 two
			st.add(pp+"/sip/registrations", id(18000, 10*n+r), "sipregistration", at(n+r), map[string]any{
				"userAgent": []string{"Yealink SIP-T46S 66.86.0.15", "wasmphone/0.1.0"}[r-1],
				"contact":   fmt.Sprintf("sip:%s@192.0.2.%d:5060;transport=udp", sipUsername(ep(n)), 10+r),
				"received":  fmt.Sprintf("sip:198.51.100.%d:4123%d", 7+r, r), "socket": "udp:203.0.113.1:5060",
				"lanIP": fmt.Sprintf("192.0.2.%d", 10+r), "wanIP": fmt.Sprintf("198.51.100.%d", 7+r),
				"updated": at(n + r).Format(timeFormat), "expires": at(n + r).Add(5 * time.Minute).Format(timeFormat),
			})
		}
	}
	rules := []map[string]any{
		{"enabled": true, "timeInterval": nil, "action": "VOICEMAIL", "callOutcome": "NOANSWER",
			"destination": nil, "externalOnly": false, "ringTime": 20},
		{"enabled": false, "timeInterval": nil, "action": "FORWARD", "callOutcome": "BUSY",
			"destination": "07700900123", "externalOnly": true, "ringTime": 0},
	}
	for j, f := range rules {
		st.add(epPath(1)+"/forwardingrules", id(17000, j+1), "forwardingrule", at(j), f)
	}

	st.add(cp+"/endpoints", ep(phones+1), "virtual", at(4), map[string]any{
		"shortNumber": "204", "name": "Mobile forward", "destination": "07700900123", "timeout": 30,
		"screeningEnabled": false})
	mailbox := epPath(phones + 5)
	group := st.add(cp+"/endpoints", ep(phones+2), "group", at(5), map[string]any{
		"shortNumber": "205", "name": "Sales", "memberTimeout": 20, "ringFor": 60, "cascadeDelay": 0})
	group.rels["members"] = []string{epPath(1), epPath(2)}
	group.rels["failoverDestination"] = mailbox
	queue := st.add(cp+"/endpoints", ep(phones+3), "queue", at(6), map[string]any{
		"shortNumber": "206", "name": "Support queue", "maxWait": 300, "memberTimeout": 15})
	queue.rels["members"] = []string{epPath(1), epPath(2)}
	queue.rels["entrySound"] = cp + "/sounds/" + id(10000, 1)
	queue.rels["timeoutDestination"] = mailbox
	qp := queue.path
	queue.links = map[string]string{"entries": qp + "/queueentries", "memberships": qp + "/queuememberships",
		"status": qp + "/queuestatus"}
	for j, who := range [][2]string{{"447700900555", "J Bloggs"}, {"441134960777", ""}} {
		st.add(qp+"/queueentries", id(19000, j+1), "queueentry", at(7+j), map[string]any{
			"callerIdNumber": who[0], "callerIdName": who[1], "position": j + 1,
			"joined": at(7 + j).Format(timeFormat), "waitTime": 95 - 60*j})
	}
	for j := 1; j <= 2; j++ {
		m := st.add(qp+"/queuememberships", id(20000, j), "queuemembership", at(6), map[string]any{
			"loggedIn": j == 1, "paused": false, "penalty": 0})
		m.rels["endpoint"] = epPath(j)
	}
	st.single(qp+"/queuestatus", "queuestatus", map[string]any{
		"callersWaiting": 2, "longestWait": 95, "membersLoggedIn": 1, "membersAvailable": 1})
	ivr := st.add(cp+"/endpoints", ep(phones+4), "ivr", at(7), map[string]any{
		"shortNumber": "207", "name": "Main menu", "timeout": 10, "items": []any{
			map[string]any{"key": "1", "action": map[string]any{"type": "transfer", "destination": ep(phones + 2)}},
			map[string]any{"key": "2", "action": map[string]any{"type": "transfer", "destination": ep(phones + 3)}},
			map[string]any{"key": "9", "action": map[string]any{"type": "playsound", "sound": id(10000, 2)}},
		}})
	ivr.rels["entrySound"] = cp + "/sounds/" + id(10000, 1)
	st.add(cp+"/endpoints", ep(phones+5), "mailbox", at(8), map[string]any{
		"shortNumber": "208", "name": "General voicemail", "email": "voicemail@" + email, "pin": "1234",
		"allowReview": true})
	st.add(cp+"/endpoints", ep(phones+6), "trunk", at(9), map[string]any{"name": "SIP trunk", "channels": 4})

	numbers := []struct {
		number, formatted string
		sms               bool
	}{{mobile, "07700 90" + mobile[8:], true}, {geo, "0121 496 " + geo[8:], false}}
	if k != 1 {
		numbers = numbers[:1]
	}
	for j, n := range numbers {
		d := st.add(cp+"/phonenumbers", id(4000, j+1), "did", at(10+j), map[string]any{
			"number": n.number, "formatted": n.formatted, "identifier": n.formatted,
			"smsEnabled": n.sms, "smsCapable": n.sms, "smsAllowIncoming": n.sms,
			"smsNotificationEmail": nil, "smsNotificationUrl": nil, "faxEnabled": false, "faxNotificationEmail": nil,
			"routingRules": []any{map[string]any{"timeInterval": office.id(), "destination": ep(phones + 2)}},
		})
		d.rels["destination"] = epPath(phones + 4)
		d.links = map[string]string{"routingRules": d.path + "/routingrules"}
		r := st.add(d.path+"/routingrules", id(16000, 10*(j+1)+1), "routingrule", at(10+j), nil)
		r.rels["timeInterval"] = office.path
		r.rels["destination"] = epPath(phones + 2)
	}
	for j, n := range numbers {
		st.add(cp+"/outgoingcallerids", id(12000, j+1), "outgoingcallerid", at(12+j), map[string]any{
			"number": n.number, "allowCalls": true, "allowSms": n.sms, "status": "VERIFIED"})
	}
}

// seedActivity seeds calls, recordings, SMS and the phonebook.
func (st *store) seedActivity(s customerSpec, cp string, id func(base, i int) string) {
	k := s.k
	epPath := func(i int) string { return fmt.Sprintf("%s/endpoints/%d", cp, 1000*(k+1)+i) }
	short := func(i int) string { return strconv.Itoa(200 + i) }
	mobile := fmt.Sprintf("44770090%04d", 100*k+1)
	geo := fmt.Sprintf("44121496%04d", 100*k+1)

	calls := []struct {
		scope, dir, outcome string
		src, dst            int // phone index, 0 for outside
		other               string
		secs                int
	}{
		{"EXTERNAL", "OUT", "ANSWERED", 1, 0, "447700900555", 125},
		{"EXTERNAL", "IN", "ANSWERED", 0, 1, "447700900556", 63},
		{"LOCAL", "OUT", "ANSWERED", 1, 2, "", 30},
		{"EXTERNAL", "IN", "NO_ANSWER", 0, 3, "441134960999", 0},
		{"EXTERNAL", "OUT", "BUSY", 2, 0, "447700900557", 0},
		{"EXTERNAL", "IN", "ANSWERED", 0, 2, "447700900558", 301},
		{"LOCAL", "OUT", "NO_ANSWER", 3, 1, "", 0},
		{"EXTERNAL", "OUT", "FAILED", 3, 0, "448000000000", 0},
		{"DOMAIN", "OUT", "ANSWERED", 1, 0, "447700900201", 45},
		{"EXTERNAL", "IN", "ANSWERED", 0, 1, "447700900555", 12},
		{"EXTERNAL", "OUT", "ANSWERED", 2, 0, "441134960123", 600},
		{"LOCAL", "OUT", "ANSWERED", 2, 3, "", 5},
	}
	linked := map[int]*record{}
	for i, c := range calls[:s.calls] {
		n := i + 1
		started := hours(24*k + 24 + 3*i)
		linkedID := fmt.Sprintf("%d.%d", started.Unix(), n)
		from, to, callerID := c.other, geo, c.other
		switch {
		case c.scope == "LOCAL":
			from, to, callerID = short(c.src), short(c.dst), short(c.src)
		case c.dir == "OUT":
			from, to, callerID = short(c.src), c.other, geo
		}
		cost := 0.0
		if c.dir == "OUT" && c.scope == "EXTERNAL" && c.secs > 0 {
			cost = math.Round(float64(c.secs+59)/60*2) / 100
		}
		r := st.add(cp+"/calls", id(7000, n), "call", started, map[string]any{
			"scope": c.scope, "direction": c.dir, "from": from, "to": to, "callerId": callerID,
			"callStarted": started.Format(timeFormat), "outcome": c.outcome, "duration": c.secs, "cost": cost,
			"callId": fmt.Sprintf("%08x-%d@fake.pbx", 0x5c1b0000+100*k+n, n), "linkedId": linkedID,
		})
		if c.src > 0 {
			r.rels["srcEndpoint"] = epPath(c.src)
		}
		if c.dst > 0 {
			r.rels["dstEndpoint"] = epPath(c.dst)
		}
		r.links = map[string]string{"recordings": cp + "/recordings?linkedId=" + url.QueryEscape(linkedID)}
		linked[n] = r
	}
	for j, n := range []int{1, 2, 6}[:s.recordings] {
		if k != 1 {
			n = 2
		}
		c := linked[n]
		party, _ := c.fields["from"].(string)
		if c.fields["direction"] == "OUT" {
			party, _ = c.fields["to"].(string)
		}
		r := st.add(cp+"/recordings", id(8000, j+1), "recording", hours(24*k+24+3*(n-1)), map[string]any{
			"direction": c.fields["direction"], "partyId": party, "started": c.fields["callStarted"],
			"size": len(wav(10 + j)), "callId": c.fields["callId"], "linkedId": c.fields["linkedId"],
		})
		r.rels["endpoint"] = c.rel("srcEndpoint")
		if r.rels["endpoint"] == "" {
			r.rels["endpoint"] = c.rel("dstEndpoint")
		}
	}

	sms := []map[string]any{
		{"direction": "OUT", "from": mobile, "to": "447700900555", "body": "Your table is booked for 7pm.",
			"sendStatus": "SENT", "deliveryStatus": "DELIVERED", "cost": 0.04, "creditsUsed": 1},
		{"direction": "IN", "from": "447700900555", "to": mobile, "body": "Thanks, see you then!",
			"sendStatus": nil, "deliveryStatus": nil, "cost": 0.0, "creditsUsed": 0},
		{"direction": "OUT", "from": mobile, "to": "447700900999", "body": "Reminder: invoice due.",
			"sendStatus": "FAILED", "deliveryStatus": "UNDELIVERED", "cost": 0.0, "creditsUsed": 0},
		{"direction": "OUT", "from": mobile, "to": "447700900556", "body": strings.Repeat("Long message. ", 14),
			"sendStatus": "PARTIAL", "deliveryStatus": "PENDING", "cost": 0.08, "creditsUsed": 2},
	}
	if k != 1 {
		sms = sms[1:2]
	}
	for j, m := range sms[:s.sms] {
		st.add(cp+"/sms", id(9000, j+1), "smsmessage", hours(24*k+30+j), m)
	}

	firsts := []string{"Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Ivy", "Leo",
		"Freya", "Oscar", "Lily", "Harry", "Evie", "Jack", "Grace", "Charlie", "Ella", "Henry", "Sophie",
		"Thomas", "Ruby"}
	lasts := []string{"Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Green"}
	for i := range s.contacts {
		first, last := firsts[(i+5*(k-1))%len(firsts)], lasts[i%len(lasts)]
		e := map[string]any{"name": first + " " + last, "phoneNumber": fmt.Sprintf("01134960%03d", 100*k+i+1),
			"email": strings.ToLower(first+"."+last) + "@example.net", "speedDial": nil, "priority": i % 3}
		if i < 5 {
			e["speedDial"] = i + 1
		}
		st.add(cp+"/phonebook", id(6000, i+1), "phonebookentry", hours(24*k+40+i), e)
	}
}

// seedAccount seeds bundles and billing.
func (st *store) seedAccount(s customerSpec, cp string, id func(base, i int) string) {
	k := s.k
	at := func(i int) time.Time { return hours(24*k + 60 + i) }
	st.add(cp+"/callbundles", id(13000, 1), "customerbundle", at(0), map[string]any{
		"name": "UK Landline & Mobile 1000", "inclusiveMins": 1000, "priceMonthly": 5.0,
		"validFrom": "2024-03-01", "validTo": "2024-03-31", "usedMins": 120, "availableMins": 880,
		"autoRenew": true, "status": "ACTIVE"})
	for j, b := range []struct {
		name  string
		mins  int
		price float64
	}{{"UK Landline & Mobile 1000", 1000, 5}, {"UK Landline & Mobile 3000", 3000, 12}, {"Europe 500", 500, 8}} {
		st.add(cp+"/callbundles/available", strconv.Itoa(13901+j), "availablebundle", at(1), map[string]any{
			"name": b.name, "inclusiveMins": b.mins, "priceMonthly": b.price})
	}
	for j, status := range []string{"PAID", "PAID", "UNPAID"} {
		month := time.Date(2024, time.Month(j+1), 1, 0, 0, 0, 0, time.UTC)
		net := 20.0 + 5*float64(j)
		st.add(cp+"/billing/invoices", id(14000, j+1), "invoice", month, map[string]any{
			"number": fmt.Sprintf("INV-%d-2024-%02d", 1000+k, j+1), "date": month.Format("2006-01-02"),
			"dueDate": month.AddDate(0, 0, 14).Format("2006-01-02"), "net": net, "tax": net / 5,
			"total": net * 1.2, "currency": "GBP", "status": status})
	}
	st.add(cp+"/billing/paymentmethods", id(15000, 1), "worldpay", at(2), map[string]any{
		"cardType": "VISA", "last4": "1111", "expiry": "12/27", "default": true})
	st.add(cp+"/billing/paymentmethods", id(15000, 2), "stripe", at(3), map[string]any{
		"brand": "mastercard", "last4": "4444", "expiry": "06/28", "default": false})
}

// wav returns a short deterministic audio/wav file (8 kHz, 16-bit mono).
func wav(n int) []byte {
	const rate, samples = 8000, 2000
	data := make([]byte, 44+2*samples)
	le32 := func(off int, v uint32) {
		data[off], data[off+1], data[off+2], data[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	le16 := func(off int, v uint16) { data[off], data[off+1] = byte(v), byte(v>>8) }
	copy(data[0:], "RIFF")
	le32(4, uint32(len(data)-8))
	copy(data[8:], "WAVEfmt ")
	le32(16, 16)
	le16(20, 1) // PCM
	le16(22, 1) // mono
	le32(24, rate)
	le32(28, rate*2)
	le16(32, 2)
	le16(34, 16)
	copy(data[36:], "data")
	le32(40, 2*samples)
	freq := 300.0 + 50*float64(n%10)
	for i := range samples {
		v := int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/rate))
		le16(44+2*i, uint16(v))
	}
	return data
}
