# The shared Connect quota (QUOTA_TABLE): one item per (account, region,
# Connect operation) holding a GCRA bucket that every Lambda instance advances
# with a conditional UpdateItem, plus short per-user write leases. Both kinds
# of item carry expires_at (epoch seconds), so DynamoDB's TTL clears them.
#
# It is coordination state only: losing the table loses no user data (Connect
# stays the only store), so it has no point-in-time recovery (see
# .checkov.yaml). With quota_table_name set, stacks share an existing table
# and with it one budget, as Connect's account-wide quota does.

locals {
  create_quota_table = var.quota_table_name == ""
  quota_table_name   = local.create_quota_table ? aws_dynamodb_table.quota[0].name : var.quota_table_name
  quota_table_arn    = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.quota_table_name}"
}

resource "aws_dynamodb_table" "quota" {
  count        = local.create_quota_table ? 1 : 0
  name         = "${var.name_prefix}-quota"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.scim.arn
  }

  point_in_time_recovery {
    enabled = false
  }
}
