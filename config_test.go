package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8080" || cfg.DataDir != "./data" || cfg.MongoURI != "" || cfg.Demo || len(cfg.Origins) != 0 || cfg.JWTKey != nil {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestConfigValues(t *testing.T) {
	cfg, err := loadConfig(env(map[string]string{
		"PLENARY_ADDR": "0.0.0.0:9000", "PLENARY_DATA_DIR": "/var/lib/plenary", "MONGODB_URI": "mongodb://db:27017/?replicaSet=rs0",
		"PLENARY_ADMIN_EMAIL": "Admin@Example.org", "PLENARY_ADMIN_PASSWORD": "long enough", "PLENARY_ORIGINS": "https://a.example, http://b.example:8080/",
		"PLENARY_DEMO": "1", "PLENARY_JWT_KEY": strings.Repeat("k", 32),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "0.0.0.0:9000" || cfg.AdminEmail != "admin@example.org" || !cfg.Demo || strings.Join(cfg.Origins, " ") != "https://a.example http://b.example:8080" || len(cfg.JWTKey) != 32 {
		t.Fatalf("values: %+v", cfg)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env      map[string]string
		variable string
	}{
		{map[string]string{"PLENARY_ADDR": "8080"}, "PLENARY_ADDR"},
		{map[string]string{"PLENARY_ADDR": "127.0.0.1:http"}, "PLENARY_ADDR"},
		{map[string]string{"PLENARY_ADDR": "127.0.0.1:70000"}, "PLENARY_ADDR"},
		{map[string]string{"PLENARY_ADDR": "example.org:80"}, "PLENARY_ADDR"},
		{map[string]string{"MONGODB_URI": "postgres://x"}, "MONGODB_URI"},
		{map[string]string{"PLENARY_ADMIN_EMAIL": "admin@example.org"}, "PLENARY_ADMIN_PASSWORD"},
		{map[string]string{"PLENARY_ADMIN_PASSWORD": "long enough"}, "PLENARY_ADMIN_EMAIL"},
		{map[string]string{"PLENARY_ADMIN_EMAIL": "not an email", "PLENARY_ADMIN_PASSWORD": "long enough"}, "PLENARY_ADMIN_EMAIL"},
		{map[string]string{"PLENARY_ADMIN_EMAIL": "a@example.org", "PLENARY_ADMIN_PASSWORD": "short"}, "PLENARY_ADMIN_PASSWORD"},
		{map[string]string{"PLENARY_ORIGINS": "*"}, "PLENARY_ORIGINS"},
		{map[string]string{"PLENARY_ORIGINS": "https://a.example/path"}, "PLENARY_ORIGINS"},
		{map[string]string{"PLENARY_ORIGINS": "ftp://a.example"}, "PLENARY_ORIGINS"},
		{map[string]string{"PLENARY_DEMO": "yes"}, "PLENARY_DEMO"},
		{map[string]string{"PLENARY_JWT_KEY": "short"}, "PLENARY_JWT_KEY"},
		{map[string]string{"PLENARY_POST_RATE": "fast"}, "PLENARY_POST_RATE"},
		{map[string]string{"PLENARY_POST_RATE": "0"}, "PLENARY_POST_RATE"},
		{map[string]string{"PLENARY_SMTP_URL": "mail.example.org"}, "PLENARY_SMTP_URL"},
		{map[string]string{"PLENARY_SMTP_URL": "smtp://mail.example.org"}, "PLENARY_SMTP_URL"},
		{map[string]string{"PLENARY_SMTP_URL": "smtp://mail.example.org?from=nobody"}, "PLENARY_SMTP_URL"},
		{map[string]string{"PLENARY_PUBLIC_URL": "plenary.example.org"}, "PLENARY_PUBLIC_URL"},
		{map[string]string{"PLENARY_PUBLIC_URL": "https://plenary.example.org/?x=1"}, "PLENARY_PUBLIC_URL"},
	} {
		_, err := loadConfig(env(tc.env))
		if err == nil || !strings.HasPrefix(err.Error(), tc.variable+":") {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.variable)
		}
	}
}

func TestSigningKeyIsGeneratedOnceWithPrivateMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := config{DataDir: dir}
	if err := cfg.prepareDataDir(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "jwt.key"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
	}
	if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", d.Mode().Perm())
	}
	again := config{DataDir: dir}
	if err := again.prepareDataDir(); err != nil {
		t.Fatal(err)
	}
	if string(again.JWTKey) != string(cfg.JWTKey) || len(cfg.JWTKey) != 64 {
		t.Fatal("the key changed between starts")
	}
	if err := os.WriteFile(filepath.Join(dir, "jwt.key"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (&config{DataDir: dir}).prepareDataDir(); err == nil || !strings.HasPrefix(err.Error(), "PLENARY_DATA_DIR:") {
		t.Fatalf("damaged key file: %v", err)
	}
}

func TestConfigMail(t *testing.T) {
	cfg, err := loadConfig(env(map[string]string{
		"PLENARY_SMTP_URL":   "smtps://user:pass@mail.example.org?from=plenary@example.org",
		"PLENARY_PUBLIC_URL": "https://example.org/plenary/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPURL != "smtps://user:pass@mail.example.org?from=plenary@example.org" || cfg.PublicURL != "https://example.org/plenary" {
		t.Fatalf("mail settings: %q %q", cfg.SMTPURL, cfg.PublicURL)
	}
	// Without PLENARY_PUBLIC_URL, links in mails point at the first allowed origin.
	cfg, err = loadConfig(env(map[string]string{"PLENARY_ORIGINS": "https://a.example,https://b.example"}))
	if err != nil || cfg.PublicURL != "https://a.example" || cfg.SMTPURL != "" {
		t.Fatalf("public URL from origins: %q, %v", cfg.PublicURL, err)
	}
	// The error names the variable but never repeats the password.
	_, err = loadConfig(env(map[string]string{"PLENARY_SMTP_URL": "smtp://user:hunter2hunter2@mail.example.org:port?from=plenary@example.org"}))
	if err == nil || !strings.HasPrefix(err.Error(), "PLENARY_SMTP_URL:") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("bad SMTP URL: %v", err)
	}
}
