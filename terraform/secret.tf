# The bearer token the IdP sends, kept in Secrets Manager. The function reads
# it at start; the secret may hold "NEW,OLD" during a rotation, so the token
# is alphanumeric and can never contain a comma.
#
# The token never enters Terraform's plan or state: Secrets Manager generates
# it (an ephemeral resource, opened anew at each plan and never stored) and it
# is written through the write-only secret_string_wo. Terraform writes it once,
# for secret_string_wo_version 1; a later apply leaves a rotated value alone.

ephemeral "aws_secretsmanager_random_password" "token" {
  password_length     = 48
  exclude_punctuation = true
  include_space       = false
}

resource "aws_secretsmanager_secret" "token" {
  name_prefix             = "${var.name_prefix}-token-"
  description             = "${var.name_prefix}: SCIM bearer token(s), comma-separated during a rotation"
  kms_key_id              = aws_kms_key.scim.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "token" {
  secret_id                = aws_secretsmanager_secret.token.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.token.random_password
  secret_string_wo_version = 1
}
