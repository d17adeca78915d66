package app

import "github.com/go-chi/chi/v5"

// mountQR mounts the QR image route {base}/qr/{alias}. TODO(#5): the qr
// package mounts here.
func (a *App) mountQR(r chi.Router) {}
