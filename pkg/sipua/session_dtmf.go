package sipua

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wasmphone/wasmphone/pkg/sipua/sipmsg"
)

// DTMF transports.
const (
	DTMFRFC2833 = "RFC2833"
	DTMFInfo    = "INFO"
)

// DTMFOptions shape SendDTMF; zero values take JsSIP's defaults (100 ms
// tones, 500 ms gaps, RFC 4733).
type DTMFOptions struct {
	Duration     time.Duration
	InterToneGap time.Duration
	Transport    string
}

// SendDTMF sends tones (0-9 * # A-D, ',' pauses) during an established
// call, as RFC 4733 events or SIP INFO application/dtmf-relay.
func (s *Session) SendDTMF(ctx context.Context, tones string, opts DTMFOptions) error {
	if opts.Duration <= 0 {
		opts.Duration = 100 * time.Millisecond
	}
	if opts.InterToneGap <= 0 {
		opts.InterToneGap = 500 * time.Millisecond
	}
	for _, r := range strings.ToUpper(tones) {
		if !strings.ContainsRune("0123456789*#ABCD,", r) {
			return fmt.Errorf("sipua: invalid DTMF tone %q", r)
		}
	}
	if !s.IsEstablished() {
		return errors.New("sipua: DTMF needs an established call")
	}
	if opts.Transport != DTMFInfo {
		return s.media.SendDTMF(strings.ToUpper(tones), opts.Duration, opts.InterToneGap)
	}
	for i, r := range strings.ToUpper(tones) {
		if i > 0 {
			select {
			case <-time.After(opts.InterToneGap):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if r == ',' {
			continue
		}
		body := "Signal=" + string(r) + "\r\nDuration=" + strconv.Itoa(int(opts.Duration/time.Millisecond)) + "\r\n"
		if err := s.sendInfo(ctx, "application/dtmf-relay", []byte(body)); err != nil {
			return err
		}
	}
	return nil
}

// SendInfo sends an INFO with the given body in the call.
func (s *Session) SendInfo(ctx context.Context, contentType string, body []byte) error {
	return s.sendInfo(ctx, contentType, body)
}

func (s *Session) sendInfo(ctx context.Context, contentType string, body []byte) error {
	return s.ua.runAsync(ctx, func(result chan<- error) {
		if s.dlg == nil || s.ended {
			result <- errors.New("sipua: INFO needs an established call")
			return
		}
		m, err := s.dlg.request(sipmsg.INFO)
		if err != nil {
			result <- err
			return
		}
		if err := m.Set(sipmsg.HdrContentType, contentType); err != nil {
			result <- err
			return
		}
		m.Body = body
		s.ua.sendRequest(m, func(resp *sipmsg.Message) {
			if resp.StatusCode < 200 {
				return
			}
			if resp.StatusCode >= 300 {
				result <- &FailedError{Method: sipmsg.INFO, Code: resp.StatusCode, Reason: resp.Reason, Cause: CauseForStatus(resp.StatusCode)}
				return
			}
			result <- nil
		}, func(err error) { result <- err })
	})
}

// receiveInfo answers an INFO: DTMF relay bodies become newDTMF, others
// newInfo.
func (s *Session) receiveInfo(m *sipmsg.Message, tx *serverTx) {
	if !s.dlg.acceptRequest(m) {
		tx.reply(500)
		return
	}
	tx.reply(200)
	ct, _ := m.ContentType()
	if ct.Is("application", "dtmf-relay") || ct.Is("application", "dtmf") {
		tone, d := parseDTMFRelay(string(m.Body))
		if tone != 0 {
			s.ua.emit(SessionEvent{Session: s, Type: "newDTMF", Originator: "remote", Tone: tone, Duration: d, Message: m})
			return
		}
	}
	s.emit("newInfo", "remote", "", m)
}

func parseDTMFRelay(body string) (rune, time.Duration) {
	var tone rune
	d := 100 * time.Millisecond
	for _, line := range strings.Split(body, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "signal":
			v = strings.ToUpper(strings.TrimSpace(v))
			if len(v) == 1 && strings.Contains("0123456789*#ABCD", v) {
				tone = rune(v[0])
			}
		case "duration":
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
				d = time.Duration(n) * time.Millisecond
			}
		}
	}
	if len(body) == 1 && strings.Contains("0123456789*#ABCD", strings.ToUpper(body)) {
		tone = rune(strings.ToUpper(body)[0])
	}
	return tone, d
}
