"""Signed, expiring, single-use links for account emails."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's password-reset tokens: valid for PASSWORD_RESET_TIMEOUT, and void once
    the address is verified or changed, because both feed the hash."""

    key_salt = "introloop.accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
        return f"{user.pk}|{user.email}|{verified}|{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
