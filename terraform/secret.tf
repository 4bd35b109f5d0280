# The bearer token the IdP sends, kept in Secrets Manager. The function reads
# it at start; the secret may hold "NEW,OLD" during a rotation, so the token
# is alphanumeric and can never contain a comma.

resource "random_password" "token" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "token" {
  name_prefix             = "${var.name_prefix}-token-"
  description             = "${var.name_prefix}: SCIM bearer token(s), comma-separated during a rotation"
  kms_key_id              = aws_kms_key.scim.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "token" {
  secret_id     = aws_secretsmanager_secret.token.id
  secret_string = random_password.token.result

  # Rotation writes "NEW,OLD" then "NEW" by hand (docs/deploy.md); a later
  # apply must not put the first token back.
  lifecycle {
    ignore_changes = [secret_string]
  }
}
