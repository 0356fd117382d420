package media

// Factory returns a function that creates sessions with New and the given
// audio options, the shape the SIP user agent's Config.Media takes.
func Factory(audio AudioOptions) func(Options) (Session, error) {
	return func(opts Options) (Session, error) { return New(opts, audio) }
}
