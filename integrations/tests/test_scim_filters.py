"""Filters across resource types (a root search), pure: no HTTP, no database."""

import pytest

from integrations.scim.backend.attributes import GROUP_ATTRIBUTES, USER_ATTRIBUTES
from integrations.scim.backend.filters import MATCH_NONE, to_q_across
from integrations.scim.errors import ScimError

TYPES = {"User": USER_ATTRIBUTES, "Group": GROUP_ATTRIBUTES}


def test_an_attribute_only_users_have_matches_no_group():
    translated = to_q_across('userName eq "ava@example.com"', TYPES)

    assert translated["Group"].q == MATCH_NONE
    assert translated["User"].q != MATCH_NONE


def test_ne_on_an_attribute_a_type_lacks_is_false_there_too():
    assert to_q_across('displayName ne "x" and userName ne "y"', TYPES)["Group"].q == (
        to_q_across('displayName ne "x"', TYPES)["Group"].q & MATCH_NONE
    )


def test_an_attribute_no_type_has_is_an_invalid_filter():
    with pytest.raises(ScimError) as raised:
        to_q_across('userName eq "a" or colour eq "blue"', TYPES)

    assert (raised.value.status, raised.value.scim_type) == (400, "invalidFilter")


def test_a_to_many_condition_is_flagged_for_the_type_that_joins():
    translated = to_q_across('members.value eq "7" or userName sw "a"', TYPES)

    assert translated["Group"].joins_many and not translated["User"].joins_many
