//go:build !js

package store

import (
	"context"
	"fmt"
	"time"
)

// The demo customer a new database is seeded with.
const (
	// DemoCustomerID is the id of the seeded customer.
	DemoCustomerID = "1001"
	// DemoDomain is the SIP domain written into the seeded sip identities;
	// the API shows the PBX's configured realm instead.
	DemoDomain = "devpbx.local"
)

// DemoUser is a seeded portal login and the phone extension it uses.
type DemoUser struct {
	Username, Password string
	// AccessLevel is the linkeduser's access level.
	AccessLevel string
	// LinkedUserID is the user's linkeduser id in the demo customer.
	LinkedUserID string
	// Extension is the id (and short number) of the user's default phone.
	Extension string
}

// DemoExtension is a seeded phone extension.
type DemoExtension struct {
	// ID is the endpoint id, also its short number.
	ID, Name string
	// SIPUsername and SIPPassword are its SIP identity.
	SIPUsername, SIPPassword string
}

// DemoUsers returns the portal logins a new database is seeded with.
func DemoUsers() []DemoUser {
	return []DemoUser{
		{"alice", "alice-secret", "CUSTOMER", "5001", "2001"},
		{"bob", "bob-secret", "EXTENSION", "5002", "2002"},
		{"carol", "carol-secret", "EXTENSION", "5003", "2003"},
	}
}

// DemoExtensions returns the phone extensions a new database is seeded with.
func DemoExtensions() []DemoExtension {
	return []DemoExtension{
		{"2001", "Alice Smith", "002001", "sip-2001-secret"},
		{"2002", "Bob Jones", "002002", "sip-2002-secret"},
		{"2003", "Carol White", "002003", "sip-2003-secret"},
	}
}

// seedEpoch is when the seeded data was "created".
var seedEpoch = time.Date(2025, time.January, 6, 9, 0, 0, 0, time.UTC)

func (s *Store) seedIfEmpty(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM records`).Scan(&n); err != nil {
		return fmt.Errorf("store: count records: %w", err)
	}
	if n > 0 {
		return nil
	}
	if err := s.Update(ctx, seed); err != nil {
		return fmt.Errorf("store: seed: %w", err)
	}
	return nil
}

// seeder adds records, remembering the first error.
type seeder struct {
	tx  *Tx
	err error
	at  time.Time
}

func (sd *seeder) tick() time.Time {
	sd.at = sd.at.Add(time.Minute)
	return sd.at
}

func (sd *seeder) add(list, id, typ string, fields map[string]any) *Record {
	r := &Record{Type: typ, Fields: fields, Rels: map[string]any{}, Links: map[string]string{}, Created: sd.tick()}
	if sd.err == nil {
		sd.err = sd.tx.Add(list, id, r)
	}
	return r
}

// put rewrites a record after its relations or links were set.
func (sd *seeder) put(r *Record) {
	if sd.err == nil {
		sd.err = sd.tx.Put(r)
	}
}

func (sd *seeder) single(path, typ string, fields map[string]any) *Record {
	r := &Record{Type: typ, Fields: fields, Rels: map[string]any{}, Links: map[string]string{}}
	if sd.err == nil {
		sd.err = sd.tx.Single(path, r)
	}
	return r
}

func (sd *seeder) lists(paths ...string) {
	for _, p := range paths {
		if sd.err == nil {
			sd.err = sd.tx.EnsureList(p)
		}
	}
}

func seed(tx *Tx) error {
	sd := &seeder{tx: tx, at: seedEpoch}
	cp := "/customers/" + DemoCustomerID
	ep := cp + "/endpoints/"

	c := sd.add("/customers", DemoCustomerID, "customer", map[string]any{
		"accountType": "BUSINESS", "company": "Demo Company Ltd", "firstName": "Alice", "lastName": "Smith",
		"telephone": "01134960000", "email": "alice.smith@demo.example.com", "address1": "1 High Street",
		"address2": "", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB", "properties": []any{},
		"enabled": true, "partnerId": nil,
	})
	for name, sub := range map[string]string{"availablebundles": "callbundles/available", "billing": "billing",
		"callbundles": "callbundles", "calls": "calls", "creditstatus": "creditstatus", "endpoints": "endpoints",
		"linkedusers": "linkedusers", "outgoingcallerids": "outgoingcallerids", "phonebook": "phonebook",
		"phonenumbers": "phonenumbers", "preferences": "preferences", "recordings": "recordings",
		"sms": "sms", "sounds": "sounds", "timeintervals": "timeintervals"} {
		c.Links[name] = cp + "/" + sub
	}
	sd.put(c)
	sd.lists(cp+"/calls", cp+"/recordings", cp+"/sms", cp+"/billing/invoices", cp+"/billing/paymentmethods",
		cp+"/callbundles/available")

	// Phones, then one endpoint of every other type.
	for i, e := range DemoExtensions() {
		p := sd.add(cp+"/endpoints", e.ID, "phone", map[string]any{
			"shortNumber": e.ID, "name": e.Name, "email": fmt.Sprintf("ext%s@demo.example.com", e.ID),
			"timeout": 20, "callWaiting": true, "callRecording": "OFF", "voicemailEnabled": i == 0,
			"defaultCallerId": "441134960001", "voicemailSettings": map[string]any{"pin": "1234", "emailNotify": false},
		})
		p.Links["sip"] = p.Path + "/sip"
		p.Links["forwardingRules"] = p.Path + "/forwardingrules"
		p.Links["phoneStatus"] = p.Path + "/phonestatus"
		sd.put(p)
		sip := sd.single(p.Path+"/sip", "sipidentity", map[string]any{
			"username": e.SIPUsername, "password": e.SIPPassword, "domain": DemoDomain})
		sip.Links["registrations"] = p.Path + "/sip/registrations"
		sd.put(sip)
		sd.lists(p.Path+"/sip/registrations", p.Path+"/forwardingrules")
		sd.single(p.Path+"/phonestatus", "phonestatus", map[string]any{"dndActive": false})
	}
	sd.add(cp+"/endpoints", "2004", "virtual", map[string]any{
		"shortNumber": "2004", "name": "Alice's mobile", "destination": "07700900123", "timeout": 30,
		"screeningEnabled": false})
	g := sd.add(cp+"/endpoints", "2005", "group", map[string]any{
		"shortNumber": "2005", "name": "Sales", "memberTimeout": 20, "ringFor": 60, "cascadeDelay": 0,
		"failoverDestination": nil})
	g.Rels["members"] = []any{ep + "2001", ep + "2002"}
	sd.put(g)
	q := sd.add(cp+"/endpoints", "2006", "queue", map[string]any{
		"shortNumber": "2006", "name": "Support", "maxWait": 300, "memberTimeout": 15, "entrySound": nil,
		"timeoutDestination": nil})
	q.Rels["members"] = []any{ep + "2002", ep + "2003"}
	q.Links["entries"], q.Links["status"] = q.Path+"/queueentries", q.Path+"/queuestatus"
	q.Links["memberships"] = q.Path + "/queuememberships"
	sd.put(q)
	sd.lists(q.Path+"/queueentries", q.Path+"/queuememberships")
	sd.single(q.Path+"/queuestatus", "queuestatus", map[string]any{"callsWaiting": 0, "membersAvailable": 2})
	sd.add(cp+"/endpoints", "2007", "ivr", map[string]any{
		"shortNumber": "2007", "name": "Main menu", "entrySound": nil, "timeout": 10, "items": []any{
			map[string]any{"key": "1", "action": map[string]any{"type": "transfer", "destination": "2005"}},
			map[string]any{"key": "2", "action": map[string]any{"type": "transfer", "destination": "2006"}},
		}})
	sd.add(cp+"/endpoints", "2008", "mailbox", map[string]any{
		"shortNumber": "2008", "name": "General voicemail", "email": "voicemail@demo.example.com",
		"pin": "0000", "allowReview": true})

	for _, u := range DemoUsers() {
		first, last := "", ""
		for _, e := range DemoExtensions() {
			if e.ID == u.Extension {
				_, _ = fmt.Sscan(e.Name, &first, &last)
			}
		}
		lu := sd.add(cp+"/linkedusers", u.LinkedUserID, "linkeduser", map[string]any{
			"accessLevel": u.AccessLevel, "email": u.Username + "@demo.example.com", "enabled": true,
			"owner": u.AccessLevel == "CUSTOMER", "recordingAccess": map[bool]string{true: "ALL", false: "OWN"}[u.AccessLevel == "CUSTOMER"],
			"firstName": first, "lastName": last, "username": u.Username})
		lu.Rels["defaultExtension"] = ep + u.Extension
		sd.put(lu)
		if sd.err == nil {
			sd.err = tx.AddUser(u.Username, u.Password, DemoCustomerID, u.LinkedUserID)
		}
	}

	for _, e := range []struct {
		name, number, email string
		speed               int
	}{
		{"Acme Supplies", "01134960123", "orders@acme.example.com", 1},
		{"Speaking clock", "123", "", 2},
		{"Dr Jane Doe", "07700900456", "jane.doe@example.com", 0},
		{"Leeds office", "01134960999", "", 0},
		{"Pizza Place", "01134960777", "hello@pizza.example.com", 3},
	} {
		sd.add(cp+"/phonebook", "", "phonebookentry", map[string]any{
			"name": e.name, "phoneNumber": e.number, "email": e.email, "speedDial": e.speed, "priority": 0})
	}

	for i, n := range []struct {
		id, number, formatted, dest string
		sms                         bool
	}{
		{"4001", "441134960001", "0113 496 0001", "2001", true},
		{"4002", "441134960002", "0113 496 0002", "2002", true},
		{"4003", "447700900003", "07700 900003", "2005", false},
	} {
		d := sd.add(cp+"/phonenumbers", n.id, "did", map[string]any{
			"number": n.number, "formatted": n.formatted, "identifier": fmt.Sprintf("Line %d", i+1),
			"smsEnabled": n.sms, "smsCapable": n.sms, "smsAllowIncoming": n.sms, "smsNotificationEmail": nil,
			"smsNotificationUrl": nil, "faxEnabled": false, "faxNotificationEmail": nil, "routingRules": []any{}})
		d.Rels["destination"] = ep + n.dest
		d.Links["routingRules"] = d.Path + "/routingrules"
		sd.put(d)
		sd.lists(d.Path + "/routingrules")
	}

	for _, s := range []struct{ id, typ, name string }{
		{"6001", "prompt", "Welcome message"}, {"6002", "prompt", "Out of hours"}, {"6003", "music", "Hold music"},
	} {
		f := map[string]any{"name": s.name, "size": len(SilentWAV())}
		if s.typ == "music" {
			f["enabled"] = true
		}
		sd.add(cp+"/sounds", s.id, s.typ, f)
	}

	sd.add(cp+"/timeintervals", "7001", "timeinterval", map[string]any{
		"name": "Office hours", "shared": true, "repeat": "WEEKLY", "includedTimes": []any{map[string]any{
			"daysOfWeek": []any{"MON", "TUE", "WED", "THU", "FRI"}, "startTime": "09:00", "endTime": "17:30"}}})
	sd.add(cp+"/timeintervals", "7002", "timeinterval", map[string]any{
		"name": "Christmas Day", "shared": true, "repeat": "YEARLY", "includedTimes": []any{map[string]any{
			"month": "DEC", "dayOfMonth": 25, "startTime": "00:00", "endTime": "23:59"}}})

	sd.add(cp+"/outgoingcallerids", "8001", "outgoingcallerid", map[string]any{
		"number": "441134960001", "allowCalls": true, "allowSms": true, "status": "APPROVED"})
	sd.add(cp+"/outgoingcallerids", "8002", "outgoingcallerid", map[string]any{
		"number": "447700900123", "allowCalls": true, "allowSms": false, "status": "PENDING"})

	sd.add(cp+"/callbundles", "9001", "customerbundle", map[string]any{
		"name": "UK Landlines 1000", "inclusiveMins": 1000, "priceMonthly": 5.0, "validFrom": "2025-01-01",
		"validTo": "2025-12-31", "usedMins": 120, "availableMins": 880, "autoRenew": true, "status": "ACTIVE"})
	sd.add(cp+"/callbundles/available", "9101", "availablebundle", map[string]any{
		"name": "UK Mobiles 500", "inclusiveMins": 500, "priceMonthly": 6.0})
	sd.add(cp+"/callbundles/available", "9102", "availablebundle", map[string]any{
		"name": "International 100", "inclusiveMins": 100, "priceMonthly": 10.0})

	sd.single(cp+"/creditstatus", "creditstatus", map[string]any{"accountType": "POSTPAID", "balance": 25.0})
	sd.single(cp+"/preferences", "customerpreferences", map[string]any{
		"timezone": "Europe/London", "locale": "en_GB", "recordingRetentionDays": 90, "voicemailToEmail": true})
	b := sd.single(cp+"/billing", "billingaccount", map[string]any{
		"name": "Demo Company Ltd", "email": "accounts@demo.example.com", "currency": "GBP", "billingDay": 1,
		"accountType": "POSTPAID"})
	b.Links = map[string]string{"invoices": cp + "/billing/invoices", "estimate": cp + "/billing/estimate",
		"paymentMethods": cp + "/billing/paymentmethods"}
	sd.put(b)
	sd.single(cp+"/billing/estimate", "estimate", map[string]any{
		"periodStart": "2025-01-01", "periodEnd": "2025-01-31", "subtotal": 0.0, "tax": 0.0, "total": 0.0,
		"currency": "GBP"})
	return sd.err
}

// SilentWAV returns a short silent WAV file (8 kHz, 16-bit mono, 0.1 s),
// the audio of every seeded sound.
func SilentWAV() []byte {
	const samples = 800
	data := samples * 2
	b := make([]byte, 44+data)
	copy(b[0:], "RIFF")
	le32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	le32(b[16:], 16)
	b[20], b[22] = 1, 1 // PCM, mono
	le32(b[24:], 8000)
	le32(b[28:], 16000)
	b[32], b[34] = 2, 16
	copy(b[36:], "data")
	le32(b[40:], uint32(data))
	return b
}

func le32(b []byte, v uint32) { b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24) }
