package app

import "github.com/go-chi/chi/v5"

// mountPublic mounts the public visitor routes: GET /{alias} on the base
// host and on branded domains, /r/{slug}, /u/{username}/{slug}-{id} and bio
// pages. TODO(#4): the redirect engine mounts here.
func (a *App) mountPublic(r chi.Router) {}
