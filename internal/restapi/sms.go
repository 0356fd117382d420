package restapi

import "strconv"

// MaxSMS is the longest SMS body the API sends, in characters.
const MaxSMS = 612

// CheckSMSBody checks the body of an SMS to send: a string of 1 to MaxSMS
// characters.
func CheckSMSBody(obj map[string]any) []FieldError {
	body, _ := obj["body"].(string)
	switch {
	case EmptyString(obj["body"]):
		return []FieldError{Invalid("body", "may not be empty")}
	case len([]rune(body)) > MaxSMS:
		return []FieldError{Invalid("body", "size must be between 1 and "+strconv.Itoa(MaxSMS))}
	}
	return nil
}

// MarkSent fills in the fields of an SMS with this body that the API sets
// when it sends one: direction OUT, sent and delivered, creditsUsed (one
// part up to 160 characters, then one per 153) and cost (0.04 a part).
func MarkSent(fields map[string]any, body string) {
	parts := 1
	if n := len([]rune(body)); n > 160 {
		parts = (n + 152) / 153
	}
	fields["direction"], fields["sendStatus"], fields["deliveryStatus"] = "OUT", "SENT", "DELIVERED"
	fields["creditsUsed"], fields["cost"] = parts, 0.04*float64(parts)
}

// IncomingSMS returns the fields of the message that an SMS from one
// number to another leaves with the receiving customer.
func IncomingSMS(from, to, body string) map[string]any {
	return map[string]any{"direction": "IN", "from": from, "to": to, "body": body,
		"sendStatus": nil, "deliveryStatus": nil, "cost": 0.0, "creditsUsed": 0}
}

// SMSReceived returns the values of an smsreceived event: the numbers and
// an excerpt of the body, its first 40 characters and an ellipsis when
// there are more.
func SMSReceived(from, to, body string) map[string]any {
	excerpt := []rune(body)
	if len(excerpt) > 40 {
		excerpt = append(excerpt[:40], '…')
	}
	return map[string]any{"to": to, "from": from, "excerpt": string(excerpt)}
}
