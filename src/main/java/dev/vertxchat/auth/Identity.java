package dev.vertxchat.auth;

import dev.vertxchat.bus.UserRef;

/** A verified token: who it speaks for and when it stops being valid (epoch milliseconds). */
public record Identity(UserRef user, long expiresAt, boolean internal) {}
