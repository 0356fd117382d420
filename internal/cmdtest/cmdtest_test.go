package cmdtest

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadUntil(t *testing.T) {
	lines, err := ReadUntil(strings.NewReader("a banner line\nX=1\r\nURL=http://127.0.0.1:1/a=b\nLATER=2\n"), "URL", time.Second)
	require.NoError(t, err)
	assert.Equal(t, []Line{{"", "a banner line"}, {"X", "1"}, {"URL", "http://127.0.0.1:1/a=b"}}, lines)

	_, err = ReadUntil(strings.NewReader("X=1\n"), "URL", time.Second)
	assert.ErrorContains(t, err, "output ended before URL")

	r, w := io.Pipe()
	defer w.Close()
	_, err = ReadUntil(r, "URL", 20*time.Millisecond)
	assert.ErrorContains(t, err, "no URL line")
}

func TestBuffer(t *testing.T) {
	var b Buffer
	_, _ = b.Write([]byte("one "))
	_, _ = b.Write([]byte("two"))
	assert.Equal(t, "one two", b.String())
}
