package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"plenary/check"
	"plenary/notify"
)

// config is the whole configuration, read once from the environment (CONTRACT.md).
type config struct {
	Addr          string
	DataDir       string
	MongoURI      string
	AdminEmail    string
	AdminPassword string
	Origins       []string
	Demo          bool
	// JWTKey comes from PLENARY_JWT_KEY, or is generated once into the data directory.
	JWTKey []byte
	// PostRate is PLENARY_POST_RATE: posts, edits and reactions per person per 10 s; 0 means the
	// default (20), "off" disables the limit (loopback benchmarks).
	PostRate int
	// MaxUploadMB is PLENARY_MAX_UPLOAD_MB, the largest file accepted (default 100);
	// UploadQuotaMB is PLENARY_UPLOAD_QUOTA_MB, what one person may upload in all (default 1024).
	MaxUploadMB, UploadQuotaMB int
	// SMTPURL is PLENARY_SMTP_URL: where notification mails go; empty means no mail.
	SMTPURL string
	// PublicURL is PLENARY_PUBLIC_URL, the address people open Plenary at (for links in mails);
	// empty means the first of PLENARY_ORIGINS, if any.
	PublicURL string
}

// loadConfig reads and validates the environment. Every error names its variable.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		Addr:     orDefault(getenv("PLENARY_ADDR"), "127.0.0.1:8080"),
		DataDir:  orDefault(getenv("PLENARY_DATA_DIR"), "./data"),
		MongoURI: strings.TrimSpace(getenv("MONGODB_URI")),
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return cfg, fmt.Errorf("PLENARY_ADDR: %q is not host:port", cfg.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return cfg, fmt.Errorf("PLENARY_ADDR: port %q must be a number from 0 to 65535", port)
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		return cfg, fmt.Errorf("PLENARY_ADDR: host %q must be an IP address, localhost or empty", host)
	}
	if cfg.MongoURI != "" && !strings.HasPrefix(cfg.MongoURI, "mongodb://") && !strings.HasPrefix(cfg.MongoURI, "mongodb+srv://") {
		return cfg, errors.New("MONGODB_URI: must start with mongodb:// or mongodb+srv://")
	}
	email, password := strings.TrimSpace(getenv("PLENARY_ADMIN_EMAIL")), getenv("PLENARY_ADMIN_PASSWORD")
	switch {
	case email == "" && password != "":
		return cfg, errors.New("PLENARY_ADMIN_EMAIL: must be set when PLENARY_ADMIN_PASSWORD is")
	case email != "" && password == "":
		return cfg, errors.New("PLENARY_ADMIN_PASSWORD: must be set when PLENARY_ADMIN_EMAIL is")
	case email != "":
		if cfg.AdminEmail, err = check.Email("email", email); err != nil {
			return cfg, fmt.Errorf("PLENARY_ADMIN_EMAIL: %q is not an e-mail address", email)
		}
		if n := len([]rune(password)); n < 8 || n > 1024 {
			return cfg, errors.New("PLENARY_ADMIN_PASSWORD: must be 8 to 1024 characters")
		}
		cfg.AdminPassword = password
	}
	if cfg.Origins, err = parseOrigins(getenv("PLENARY_ORIGINS")); err != nil {
		return cfg, err
	}
	switch getenv("PLENARY_DEMO") {
	case "", "0", "false":
	case "1", "true":
		cfg.Demo = true
	default:
		return cfg, fmt.Errorf("PLENARY_DEMO: %q must be 0 or 1", getenv("PLENARY_DEMO"))
	}
	switch v := strings.TrimSpace(getenv("PLENARY_POST_RATE")); v {
	case "":
	case "off":
		cfg.PostRate = -1
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return cfg, fmt.Errorf("PLENARY_POST_RATE: %q must be a number from 1 to 100000, or off", v)
		}
		cfg.PostRate = n
	}
	for _, v := range []struct {
		name     string
		dst      *int
		def, max int
	}{{"PLENARY_MAX_UPLOAD_MB", &cfg.MaxUploadMB, 100, 4096}, {"PLENARY_UPLOAD_QUOTA_MB", &cfg.UploadQuotaMB, 1024, 1 << 20}} {
		*v.dst = v.def
		if raw := strings.TrimSpace(getenv(v.name)); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > v.max {
				return cfg, fmt.Errorf("%s: %q must be a number of MiB from 1 to %d", v.name, raw, v.max)
			}
			*v.dst = n
		}
	}
	if cfg.SMTPURL = strings.TrimSpace(getenv("PLENARY_SMTP_URL")); cfg.SMTPURL != "" {
		if err := notify.CheckSMTPURL(cfg.SMTPURL); err != nil {
			return cfg, fmt.Errorf("PLENARY_SMTP_URL: %v", err)
		}
	}
	if cfg.PublicURL, err = parsePublicURL(getenv("PLENARY_PUBLIC_URL")); err != nil {
		return cfg, err
	}
	if cfg.PublicURL == "" && len(cfg.Origins) > 0 {
		cfg.PublicURL = cfg.Origins[0]
	}
	if key := getenv("PLENARY_JWT_KEY"); key != "" {
		if len(key) < 32 {
			return cfg, errors.New("PLENARY_JWT_KEY: must be at least 32 characters")
		}
		cfg.JWTKey = []byte(key)
	}
	return cfg, nil
}

func parseOrigins(v string) ([]string, error) {
	var out []string
	for _, raw := range strings.Split(v, ",") {
		o := strings.TrimSpace(raw)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("PLENARY_ORIGINS: %q is not an origin such as https://plenary.example.org", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

// parsePublicURL checks an http(s) base URL, optionally with a path prefix, and returns it
// without a trailing slash.
func parsePublicURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("PLENARY_PUBLIC_URL: %q is not a URL such as https://plenary.example.org", v)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}

// prepareDataDir creates the data directory (0700) and, unless PLENARY_JWT_KEY was given, loads
// or creates the signing key file in it (0600).
func (cfg *config) prepareDataDir() error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("PLENARY_DATA_DIR: %w", err)
	}
	if cfg.JWTKey != nil {
		return nil
	}
	path := filepath.Join(cfg.DataDir, "jwt.key")
	data, err := os.ReadFile(path)
	if err == nil {
		key, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
		if derr != nil || len(key) < 32 {
			return fmt.Errorf("PLENARY_DATA_DIR: %s is damaged; remove it to make a new key (this signs everybody out)", path)
		}
		cfg.JWTKey = key
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("PLENARY_DATA_DIR: read %s: %w", path, err)
	}
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("PLENARY_DATA_DIR: create %s: %w", path, err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("PLENARY_DATA_DIR: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("PLENARY_DATA_DIR: write %s: %w", path, err)
	}
	cfg.JWTKey = key
	return nil
}
