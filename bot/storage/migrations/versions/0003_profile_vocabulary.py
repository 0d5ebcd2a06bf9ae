"""profile values as choice names

Survey answers used to be copied into the profile as the questionnaire's choice codes
(`preferred_channel = 2`) while imports stored names (`"sms"`). From now on every profile
value is stored as the choice's stable name; this converts the rows written from
questionnaires. The code lists are frozen here as the shipped questionnaires had them
(communication_preferences 1.1, tenant_profile), so the migration never depends on files
that may change later.

Revision ID: 0003_profile_vocabulary
Revises: 0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0003_profile_vocabulary'
down_revision = '0002'
branch_labels = None
depends_on = None

NAMES: dict[str, dict[int, str]] = {
    'preferred_channel': {1: 'sms', 2: 'telegram', 3: 'web_chat', 4: 'phone', 5: 'email', 6: 'letter', 7: 'whatsapp'},
    'preferred_times': {1: 'morning', 2: 'afternoon', 3: 'evening', 4: 'weekend'},
    'language': {1: 'en', 2: 'cy', 3: 'pl', 4: 'ro', 5: 'pa', 6: 'ur', 7: 'pt', 8: 'es', 9: 'ar', 10: 'bn', 11: 'gu', 12: 'zh', 13: 'bfi', 14: 'other'},
    'communication_needs': {1: 'large_print', 2: 'braille', 3: 'audio', 4: 'email', 5: 'easy_read', 6: 'bsl', 7: 'lipspeaker', 8: 'notetaker', 9: 'speech_to_text', 10: 'interpreter', 11: 'someone_to_help', 12: 'none'},
    'contact_frequency': {1: 'as_needed', 2: 'monthly', 3: 'quarterly', 4: 'yearly', 5: 'essential_only'},
    'digital_access': {1: 'smartphone', 2: 'home_internet', 3: 'computer_or_tablet', 4: 'none'},
    'online_confidence': {1: 'very_confident', 2: 'fairly_confident', 3: 'not_very_confident', 4: 'not_at_all_confident', 5: 'never_used'},
    'age_band': {1: 'age_16_24', 2: 'age_25_34', 3: 'age_35_44', 4: 'age_45_54', 5: 'age_55_64', 6: 'age_65_74', 7: 'age_75_84', 8: 'age_85_plus', 99: 'prefer_not_to_say'},
    'sex': {1: 'female', 2: 'male', 99: 'prefer_not_to_say'},
    'gender_identity': {1: 'yes', 2: 'no', 99: 'prefer_not_to_say'},
    'marital_status': {1: 'never_married', 2: 'married', 3: 'civil_partnership', 4: 'separated', 5: 'divorced_or_dissolved', 6: 'widowed_or_surviving_partner', 99: 'prefer_not_to_say'},
    'long_term_condition': {1: 'yes', 2: 'no', 99: 'prefer_not_to_say'},
    'disability': {1: 'yes_a_lot', 2: 'yes_a_little', 3: 'not_at_all', 99: 'prefer_not_to_say'},
    'ethnicity': {1: 'white_british', 2: 'white_irish', 3: 'white_gypsy_irish_traveller', 4: 'white_roma', 5: 'white_other', 6: 'mixed_white_black_caribbean', 7: 'mixed_white_black_african', 8: 'mixed_white_asian', 9: 'mixed_other', 10: 'asian_indian', 11: 'asian_pakistani', 12: 'asian_bangladeshi', 13: 'asian_chinese', 14: 'asian_other', 15: 'black_caribbean', 16: 'black_african', 17: 'black_other', 18: 'other_arab', 19: 'other_ethnic_group', 99: 'prefer_not_to_say'},
    'religion': {1: 'no_religion', 2: 'christian', 3: 'buddhist', 4: 'hindu', 5: 'jewish', 6: 'muslim', 7: 'sikh', 8: 'other_religion', 99: 'prefer_not_to_say'},
    'sexual_orientation': {1: 'straight_heterosexual', 2: 'gay_lesbian', 3: 'bisexual', 4: 'other_sexual_orientation', 99: 'prefer_not_to_say'},
}
PROFILE = sa.table(
    'profile_attributes',
    sa.column('id', sa.Integer),
    sa.column('name', sa.String),
    sa.column('value', sa.JSON),
    sa.column('source', sa.String),
)


def _convert(value: Any, names: dict[Any, Any]) -> Any:
    if isinstance(value, list):
        return [_convert(item, names) for item in value]
    if isinstance(value, int | str) and not isinstance(value, bool):
        return names.get(value, value)
    return value


def _run(mapping: dict[str, dict[Any, Any]]) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(PROFILE.c.id, PROFILE.c.name, PROFILE.c.value).where(
            PROFILE.c.name.in_(list(mapping)), PROFILE.c.source.like('questionnaire:%')
        )
    ).all()
    for row in rows:
        converted = _convert(row.value, mapping[row.name])
        if converted != row.value:
            connection.execute(
                sa.update(PROFILE).where(PROFILE.c.id == row.id).values(value=converted)
            )


def upgrade() -> None:
    _run(NAMES)


def downgrade() -> None:
    _run({name: {v: k for k, v in codes.items()} for name, codes in NAMES.items()})
