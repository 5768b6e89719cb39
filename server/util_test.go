package server

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
)

func encodeStd(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func httptestRequest(method, url string) *http.Request { return httptest.NewRequest(method, url, nil) }
