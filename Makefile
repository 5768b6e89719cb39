# Plenary. `make run` serves a demo; `make test` runs every test (Go, frontend, browser).
.PHONY: run build frontend test test-go test-frontend test-e2e bench lint

NPM_INSTALLED := frontend/node_modules/.package-lock.json

run:
	PLENARY_DEMO=1 go run .

build:
	go build -o bin/plenary .

$(NPM_INSTALLED): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

# Rebuilds the embedded web app; commit frontend/dist afterwards.
frontend: $(NPM_INSTALLED)
	cd frontend && npm run build

test: test-go test-frontend test-e2e

test-go:
	go test -count=1 ./...

test-frontend: $(NPM_INSTALLED)
	cd frontend && npm run check && npm test

# Browser tests drive Debian's Chromium (apt-get install chromium) against the real binary.
test-e2e: build $(NPM_INSTALLED)
	cd frontend && PLENARY_BIN=$(CURDIR)/bin/plenary npm run e2e
	cd frontend && PLENARY_BIN=$(CURDIR)/bin/plenary npm run test:sharedb

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt would change the files above"; exit 1; }
	go vet ./...

bench: build
	go run ./bench/store
	go run ./bench/api -bin bin/plenary
	go run ./bench/meetings -bin bin/plenary
