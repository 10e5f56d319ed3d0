"""The password of the vault tests' members (created the plain way by `make_member`)."""

PASSWORD = "vault test password 1"
