"""The Core table handles every query uses: one name per table, declared once.

Modules import the handle they query (`from bot.storage.tables import SESSIONS`) rather
than declaring `SESSIONS = table(Session)` again; the ORM classes stay with their domain.
"""

from __future__ import annotations

from bot.access.apikey_models import ApiKey
from bot.access.audit_models import AuditEntry
from bot.access.user_models import ConsoleSession, SetupToken, User
from bot.campaigns.models import Campaign, CampaignTarget
from bot.concerns.models import Concern
from bot.engine.link_models import TelegramLinkToken
from bot.outreach.contact_models import DoNotContact, Invitation
from bot.outreach.webchat_models import Invite, WebChatRate, WebChatSession
from bot.repairs.models import RepairJob
from bot.storage.models import (
    Answer,
    ChannelIdentity,
    Consent,
    Erasure,
    InboundRecord,
    OutboundRecord,
    ProfileAttribute,
    QuestionnaireVersion,
    Respondent,
    SendSlot,
    Session,
    table,
)
from bot.storage.segment_models import Segment, SegmentMembership, SegmentRun

# Conversations (the engine's tables).
RESPONDENTS = table(Respondent)
IDENTITIES = table(ChannelIdentity)
PROFILE = table(ProfileAttribute)
VERSIONS = table(QuestionnaireVersion)
SESSIONS = table(Session)
ANSWERS = table(Answer)
CONSENTS = table(Consent)
INBOUND = table(InboundRecord)
OUTBOUND = table(OutboundRecord)
SEND_SLOTS = table(SendSlot)
ERASURES = table(Erasure)
LINK_TOKENS = table(TelegramLinkToken)
# Outreach.
DNC = table(DoNotContact)
INVITATIONS = table(Invitation)
INVITES = table(Invite)
WEBCHAT_SESSIONS = table(WebChatSession)
WEBCHAT_RATES = table(WebChatRate)
# Campaigns, repairs, concerns, segments.
CAMPAIGNS = table(Campaign)
TARGETS = table(CampaignTarget)
REPAIR_JOBS = table(RepairJob)
CONCERNS = table(Concern)
SEGMENT_RUNS = table(SegmentRun)
SEGMENTS = table(Segment)
MEMBERSHIPS = table(SegmentMembership)
# Access.
USERS = table(User)
CONSOLE_SESSIONS = table(ConsoleSession)
SETUP_TOKENS = table(SetupToken)
API_KEYS = table(ApiKey)
AUDIT = table(AuditEntry)
