// Package seal encrypts the few secrets the bot must keep in its shared
// store for a while (a Workflow Builder run's own token), so that the store
// (Redis) never holds them in the clear.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// Key derives a sealing key from a secret every replica already has (the
// bot token): replicas read each other's sealed values, the store alone
// cannot.
func Key(secret string) []byte {
	k := sha256.Sum256([]byte("plusvibe-slack-bot seal v1\x00" + secret))
	return k[:]
}

// ErrOpen means a sealed value was not sealed with this key, or was changed.
var ErrOpen = errors.New("seal: cannot open")

// Seal encrypts and authenticates plain with key (AES-256-GCM).
func Seal(key []byte, plain string) (string, error) {
	aead, err := gcm(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// Open reverses Seal.
func Open(key []byte, sealed string) (string, error) {
	aead, err := gcm(key)
	if err != nil {
		return "", err
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", ErrOpen
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
