// Package frontend holds the built single-page web app.
//
// The Svelte sources live beside this file; `npm ci && npm run build` writes
// the production bundle to dist/, which is committed so that a plain
// `go build` needs no Node toolchain. The server serves Dist and falls back to
// dist/index.html for every path outside /api.
package frontend

import "embed"

// Dist is the built app: dist/index.html plus its hashed assets under
// dist/assets. Paths inside the FS start with "dist/".
//
//go:embed all:dist
var Dist embed.FS
