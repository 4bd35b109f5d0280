#!/usr/bin/env python3
"""By-hand smoke test of the Connect simulator with boto3 (not part of CI).

Start the simulator (`connect-scim simulate --listen 127.0.0.1:4599`), then:

    python3 scripts/boto3_smoke.py http://127.0.0.1:4599 [--no-quota]

Exercises every operation the simulator serves, its modeled errors and its
pagination through the real botocore client, then checks the quota by calling
fast without retries (skipped with --no-quota, for a simulator started so).
Exits non-zero on the first failed expectation. Needs only boto3.
"""

import argparse
import json
import sys
import urllib.parse
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

INSTANCE_ID = "11111111-2222-4333-8444-555555555555"
NAMED = {"FirstName": "Ana", "LastName": "Lima"}


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok   {message}")


def expect_error(code, status, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as error:
        got = error.response["Error"]["Code"]
        got_status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        check(got == code and got_status == status,
              f"{call.__name__} -> {code} {status} (got {got} {got_status}: "
              f"{error.response['Error'].get('Message')})")
        return
    fail(f"{call.__name__} should have failed with {code}")


def client(endpoint, attempts):
    return boto3.client(
        "connect",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}),
    )


def simulator_json(endpoint, path, method="GET"):
    request = urllib.request.Request(endpoint + path, method=method)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("--no-quota", action="store_true")
    parser.add_argument("--instance-id", default=INSTANCE_ID)
    args = parser.parse_args()
    endpoint = args.endpoint.rstrip("/")
    iid = args.instance_id
    c = client(endpoint, attempts=12)

    # Instance and seeded resources.
    instances = c.list_instances()["InstanceSummaryList"]
    check([i["Id"] for i in instances] == [iid], "ListInstances lists the one instance")
    instance = c.describe_instance(InstanceId=iid)["Instance"]
    check(instance["IdentityManagementType"] == "SAML", "DescribeInstance: SAML instance")
    expect_error("ResourceNotFoundException", 404, c.describe_instance, InstanceId="other")

    profiles = c.list_security_profiles(InstanceId=iid)["SecurityProfileSummaryList"]
    names = {p["Name"]: p["Id"] for p in profiles}
    check({"Admin", "Agent", "CallCenterManager", "QualityAnalyst", "SCIM-Disabled"} <= set(names),
          "ListSecurityProfiles has the seeded profiles")
    page = c.list_security_profiles(InstanceId=iid, MaxResults=2)
    second = c.list_security_profiles(InstanceId=iid, MaxResults=2, NextToken=page["NextToken"])
    check(len(page["SecurityProfileSummaryList"]) == 2 and "NextToken" in page
          and second["SecurityProfileSummaryList"][0]["Id"] != page["SecurityProfileSummaryList"][0]["Id"],
          "ListSecurityProfiles paginates")
    expect_error("InvalidParameterException", 400, c.list_security_profiles,
                 InstanceId=iid, NextToken="not-a-token")
    disabled = c.describe_security_profile(InstanceId=iid, SecurityProfileId=names["SCIM-Disabled"])
    check("deactivated" in disabled["SecurityProfile"]["Description"],
          "DescribeSecurityProfile: SCIM-Disabled says what it is for")

    routing = c.list_routing_profiles(InstanceId=iid)["RoutingProfileSummaryList"]
    basic = next(r["Id"] for r in routing if r["Name"] == "Basic Routing Profile")
    described = c.describe_routing_profile(InstanceId=iid, RoutingProfileId=basic)["RoutingProfile"]
    check(described["Name"] == "Basic Routing Profile", "DescribeRoutingProfile")

    groups = c.list_user_hierarchy_groups(InstanceId=iid)["UserHierarchyGroupSummaryList"]
    check(len(groups) == 5, "ListUserHierarchyGroups: 5 seeded groups")
    tier1 = None
    for group in groups:
        hg = c.describe_user_hierarchy_group(InstanceId=iid, HierarchyGroupId=group["Id"])["HierarchyGroup"]
        path = hg["HierarchyPath"]
        if hg["LevelId"] == "2" and path["LevelOne"]["Name"] == "Seattle" and hg["Name"] == "Tier1":
            tier1 = hg["Id"]
    check(tier1 is not None, "DescribeUserHierarchyGroup: Seattle/Tier1 with its HierarchyPath")
    searched = c.search_user_hierarchy_groups(InstanceId=iid, MaxResults=2)
    check(len(searched["UserHierarchyGroups"]) == 2 and searched["ApproximateTotalCount"] == 5
          and "NextToken" in searched, "SearchUserHierarchyGroups: a page of 2 of 5, with a NextToken")
    rest = c.search_user_hierarchy_groups(InstanceId=iid, MaxResults=100,
                                          NextToken=searched["NextToken"])
    check(len(rest["UserHierarchyGroups"]) == 3 and "NextToken" not in rest,
          "SearchUserHierarchyGroups: the other 3")
    named = c.search_user_hierarchy_groups(InstanceId=iid, SearchCriteria={
        "StringCondition": {"FieldName": "name", "Value": "tier1", "ComparisonType": "EXACT"}})
    check(sorted(g["HierarchyPath"]["LevelOne"]["Name"] for g in named["UserHierarchyGroups"])
          == ["Dublin", "Seattle"], "SearchUserHierarchyGroups: name EXACT, case-insensitive, with paths")

    # Users.
    suffix = uuid.uuid4().hex[:8]
    username = f"ana.{suffix}@example.com"
    created = c.create_user(
        InstanceId=iid, Username=username, SecurityProfileIds=[names["Agent"]],
        RoutingProfileId=basic, HierarchyGroupId=tier1,
        PhoneConfig={"PhoneType": "SOFT_PHONE", "AutoAccept": False, "AfterContactWorkTimeLimit": 30},
        IdentityInfo={"FirstName": "Ana", "LastName": "Lima", "Email": username, "Mobile": "+14155550100"},
        Tags={"scim:externalId": f"ext-{suffix}"},
    )
    uid, arn = created["UserId"], created["UserArn"]
    check(arn.endswith(f"/agent/{uid}"), "CreateUser returns id and ARN")
    user = c.describe_user(InstanceId=iid, UserId=uid)["User"]
    check(user["Username"] == username and user["Tags"] == {"scim:externalId": f"ext-{suffix}"}
          and user["IdentityInfo"]["Mobile"] == "+14155550100" and "LastModifiedTime" in user,
          "DescribeUser returns the full user with tags and LastModifiedTime")
    first_modified = user["LastModifiedTime"]

    # Each refusal below names its own cause: the names a SAML instance
    # requires are given, so that rule is not what refuses them.
    expect_error("DuplicateResourceException", 409, c.create_user, InstanceId=iid, IdentityInfo=NAMED,
                 Username=username.upper(), SecurityProfileIds=[names["Agent"]], RoutingProfileId=basic,
                 PhoneConfig={"PhoneType": "SOFT_PHONE"})
    expect_error("ResourceNotFoundException", 404, c.create_user, InstanceId=iid, IdentityInfo=NAMED,
                 Username=f"x{suffix}", SecurityProfileIds=["no-such-profile"], RoutingProfileId=basic,
                 PhoneConfig={"PhoneType": "SOFT_PHONE"})
    expect_error("InvalidParameterException", 400, c.create_user, InstanceId=iid, IdentityInfo=NAMED,
                 Username="bad@name", SecurityProfileIds=[names["Agent"]], RoutingProfileId=basic,
                 PhoneConfig={"PhoneType": "SOFT_PHONE"})
    expect_error("InvalidParameterException", 400, c.create_user, InstanceId=iid, IdentityInfo=NAMED,
                 Username=f"pw{suffix}", Password="Secret123!", SecurityProfileIds=[names["Agent"]],
                 RoutingProfileId=basic, PhoneConfig={"PhoneType": "SOFT_PHONE"})
    expect_error("InvalidParameterException", 400, c.create_user, InstanceId=iid, IdentityInfo=NAMED,
                 Username=f"dp{suffix}", SecurityProfileIds=[names["Agent"]], RoutingProfileId=basic,
                 PhoneConfig={"PhoneType": "DESK_PHONE"})
    expect_error("InvalidParameterException", 400, c.create_user, InstanceId=iid, IdentityInfo=NAMED,
                 Username=f"tg{suffix}", SecurityProfileIds=[names["Agent"]], RoutingProfileId=basic,
                 PhoneConfig={"PhoneType": "SOFT_PHONE"}, Tags={"aws:x": "y"})
    expect_error("ResourceNotFoundException", 404, c.describe_user, InstanceId=iid, UserId="nobody")

    c.update_user_identity_info(InstanceId=iid, UserId=uid,
                                IdentityInfo={"FirstName": "Ana", "LastName": "Souza", "Email": username})
    expect_error("InvalidParameterException", 400, c.update_user_identity_info, InstanceId=iid, UserId=uid,
                 IdentityInfo={"Email": "not-an-email"})
    c.update_user_security_profiles(InstanceId=iid, UserId=uid,
                                    SecurityProfileIds=[names["Agent"], names["QualityAnalyst"]])
    expect_error("InvalidParameterException", 400, c.update_user_security_profiles, InstanceId=iid,
                 UserId=uid, SecurityProfileIds=[names["Agent"]] * 11)
    c.update_user_routing_profile(InstanceId=iid, UserId=uid, RoutingProfileId=basic)
    c.update_user_phone_config(InstanceId=iid, UserId=uid,
                               PhoneConfig={"PhoneType": "DESK_PHONE", "DeskPhoneNumber": "+442071234567",
                                            "AutoAccept": True, "AfterContactWorkTimeLimit": 10})
    c.update_user_hierarchy(InstanceId=iid, UserId=uid)
    user = c.describe_user(InstanceId=iid, UserId=uid)["User"]
    check(user["IdentityInfo"]["LastName"] == "Souza" and "Mobile" not in user["IdentityInfo"]
          and len(user["SecurityProfileIds"]) == 2 and user["PhoneConfig"]["PhoneType"] == "DESK_PHONE"
          and "HierarchyGroupId" not in user and user["LastModifiedTime"] >= first_modified,
          "UpdateUser* operations applied")

    # Tags by ARN (percent-encoded in the path).
    c.tag_resource(resourceArn=arn, tags={"scim:active": "false"})
    c.untag_resource(resourceArn=arn, tagKeys=["scim:externalId"])
    tags = c.list_tags_for_resource(resourceArn=arn)["tags"]
    check(tags == {"scim:active": "false"}, "TagResource / UntagResource / ListTagsForResource")
    expect_error("InvalidParameterException", 400, c.tag_resource, resourceArn=arn,
                 tags={f"k{i}": "v" for i in range(50)})
    expect_error("ResourceNotFoundException", 404, c.list_tags_for_resource,
                 resourceArn=arn.replace(uid, "nobody"))

    # Search.
    others = []
    for i in range(3):
        other = c.create_user(InstanceId=iid, Username=f"bob{i}.{suffix}", SecurityProfileIds=[names["Agent"]],
                              RoutingProfileId=basic, PhoneConfig={"PhoneType": "SOFT_PHONE"},
                              IdentityInfo={"FirstName": "Bob", "LastName": f"N{i}"},
                              Tags={"team": suffix})
        others.append(other["UserId"])
    found = c.search_users(InstanceId=iid, SearchCriteria={"StringCondition": {
        "FieldName": "Username", "ComparisonType": "EXACT", "Value": username.upper()}})
    check([u["Id"] for u in found["Users"]] == [uid] and found["ApproximateTotalCount"] == 1
          and "Email" not in found["Users"][0]["IdentityInfo"],
          "SearchUsers EXACT is case-insensitive and returns UserSearchSummary")
    page1 = c.search_users(InstanceId=iid, MaxResults=2,
                           SearchFilter={"TagFilter": {"TagCondition": {"TagKey": "team", "TagValue": suffix}}})
    page2 = c.search_users(InstanceId=iid, MaxResults=2, NextToken=page1["NextToken"],
                           SearchFilter={"TagFilter": {"TagCondition": {"TagKey": "team", "TagValue": suffix}}})
    ids = [u["Id"] for u in page1["Users"] + page2["Users"]]
    check(ids == others and page1["ApproximateTotalCount"] == 3 and "NextToken" not in page2,
          "SearchUsers tag filter paginates in creation order")
    nested = c.search_users(InstanceId=iid, SearchCriteria={"AndConditions": [
        {"StringCondition": {"FieldName": "FirstName", "ComparisonType": "STARTS_WITH", "Value": "bo"}},
        {"OrConditions": [
            {"StringCondition": {"FieldName": "LastName", "ComparisonType": "EXACT", "Value": "n0"}},
            {"StringCondition": {"FieldName": "LastName", "ComparisonType": "CONTAINS", "Value": "2"}},
        ]},
        {"StringCondition": {"FieldName": "Username", "ComparisonType": "CONTAINS", "Value": suffix}},
    ]})
    check([u["Id"] for u in nested["Users"]] == [others[0], others[2]], "SearchUsers nested And/Or")
    expect_error("InvalidParameterException", 400, c.search_users, InstanceId=iid, MaxResults=501)

    listed, token = [], None
    while True:
        kwargs = {"InstanceId": iid, "MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        response = c.list_users(**kwargs)
        listed += [u["Id"] for u in response["UserSummaryList"]]
        token = response.get("NextToken")
        if not token:
            break
    check(set([uid] + others) <= set(listed), "ListUsers paginates through every user")

    # Security profile lifecycle.
    sp = c.create_security_profile(InstanceId=iid, SecurityProfileName=f"Group {suffix}",
                                   Description="smoke", Tags={"scim:group": "1"})
    check("SecurityProfileId" in sp and "SecurityProfileArn" in sp, "CreateSecurityProfile")
    expect_error("DuplicateResourceException", 409, c.create_security_profile, InstanceId=iid,
                 SecurityProfileName=f"group {suffix}")
    c.tag_resource(resourceArn=sp["SecurityProfileArn"], tags={"extra": "y"})
    check(c.list_tags_for_resource(resourceArn=sp["SecurityProfileArn"])["tags"]
          == {"scim:group": "1", "extra": "y"}, "tags on a security profile")
    c.update_user_security_profiles(InstanceId=iid, UserId=uid, SecurityProfileIds=[sp["SecurityProfileId"]])
    expect_error("ResourceInUseException", 409, c.delete_security_profile, InstanceId=iid,
                 SecurityProfileId=sp["SecurityProfileId"])
    c.update_user_security_profiles(InstanceId=iid, UserId=uid, SecurityProfileIds=[names["Agent"]])
    c.delete_security_profile(InstanceId=iid, SecurityProfileId=sp["SecurityProfileId"])
    expect_error("ResourceNotFoundException", 404, c.describe_security_profile, InstanceId=iid,
                 SecurityProfileId=sp["SecurityProfileId"])

    # Delete users.
    for user_id in [uid] + others:
        c.delete_user(InstanceId=iid, UserId=user_id)
    expect_error("ResourceNotFoundException", 404, c.delete_user, InstanceId=iid, UserId=uid)

    # Counters and the quota.
    stats = simulator_json(endpoint, "/simulator/stats")
    check(stats["calls"].get("CreateUser", 0) >= 4 and stats["total"] >= sum(stats["calls"].values()) - 0,
          f"/simulator/stats counts calls ({stats['total']} so far, {stats['throttled']} throttled)")
    if not args.no_quota:
        fast = client(endpoint, attempts=1)
        throttled = 0
        for _ in range(20):
            try:
                fast.describe_instance(InstanceId=iid)
            except ClientError as error:
                if error.response["Error"]["Code"] == "ThrottlingException":
                    check(error.response["ResponseMetadata"]["HTTPStatusCode"] == 429
                          and error.response["Error"]["Message"] == "Rate exceeded",
                          "ThrottlingException is 429 Rate exceeded") if throttled == 0 else None
                    throttled += 1
        check(throttled > 0, f"calling fast is throttled ({throttled} of 20)")
        after = simulator_json(endpoint, "/simulator/stats")
        check(after["throttled"] >= stats["throttled"] + throttled, "/simulator/stats counts the 429s")
    simulator_json(endpoint, "/simulator/reset", method="POST")
    check(simulator_json(endpoint, "/simulator/stats")["total"] == 0, "/simulator/reset zeroes the counters")
    print("all expectations met")


if __name__ == "__main__":
    main()
