# The no-permission security profile that `DEACTIVATION=disable` gives a
# deactivated agent (their previous profiles are remembered in user tags).

resource "aws_connect_security_profile" "disabled" {
  instance_id = var.connect_instance_id
  name        = var.disabled_security_profile_name
  description = "No permissions: held by agents their identity provider deactivated (managed by connect-scim)"
  permissions = []
}
