//go:build !linux

package server

import "errors"

// poller needs epoll; elsewhere every websocket connection keeps a goroutine for its reads.
type poller struct{ flush *flushers }

func newPoller() (*poller, error) { return nil, errors.New("no epoll on this system") }

func (p *poller) add(int, *wsConn) error { return errors.New("no epoll on this system") }
func (p *poller) remove(int, *wsConn)    {}
func (p *poller) close()                 {}
