"""Every system string a tenant sees, in English, marked for the gettext catalogs.

Translators get these through `doorstep i18n extract`; the engine looks them up by this text
in the tenant's language. Keep them short: SMS segments cost money.
"""

from __future__ import annotations

from typing import NamedTuple


def N_(message: str) -> str:  # noqa: N802 - the gettext marker name is a convention
    """Marks a string for extraction; translation happens where it is shown."""
    return message


class Plural(NamedTuple):
    singular: str
    plural: str


def NP_(singular: str, plural: str) -> Plural:  # noqa: N802 - gettext marker convention
    """Marks a string with plural forms; each language's catalog has its own forms."""
    return Plural(singular, plural)


# Word lists (comma-separated; translators add their language's words, English always works).
YES_WORDS = N_("yes, y, yeah, yep, ok, okay, sure, agree, i agree")
NO_WORDS = N_("no, n, nope, nah, disagree, i do not agree")
AND_WORDS = N_("and, &, plus")
STOP_WORDS = N_("stop, stopall, unsubscribe, cancel, end, quit, revoke, optout, withdraw")
HELP_WORDS = N_("help, info")
BACK_WORDS = N_("back, previous, undo")
SKIP_WORDS = N_("skip, pass, next")
LANGUAGE_WORDS = N_("language, languages, lang")
START_WORDS = N_("start, unstop, resume")
# Words a date reply may be. Leave out a word that means two days (Urdu کل is both
# yesterday and tomorrow): a tenant then writes the date.
TODAY_WORDS = N_("today")
TOMORROW_WORDS = N_("tomorrow")
YESTERDAY_WORDS = N_("yesterday")
# Translators: the numbers one to ten, in this order, separated by commas; write other forms
# of the same number with "/" (Polish "jeden/jedna/jedno").
NUMBER_WORDS = N_("one, two, three, four, five, six, seven, eight, nine, ten")

# Consent.
CONSENT_INTRO = NP_(
    "{landlord}: {title}. It takes about {count} minute.",
    "{landlord}: {title}. It takes about {count} minutes.",
)
CONSENT_DETAILS = N_(
    "{purpose} {consent} We keep your answers for {period}. Reply STOP at any time to stop. "
    "Privacy notice: {privacy_url}"
)
# How long answers are kept (in the catalogs, not CLDR, so that each language can use the
# form its sentence needs: Arabic "لمدة سنتين", not the nominative "سنتان").
PERIOD_YEARS = NP_("{count} year", "{count} years")
PERIOD_MONTHS = NP_("{count} month", "{count} months")
PERIOD_DAYS = NP_("{count} day", "{count} days")
CONSENT_SENSITIVE_OPTIONAL = N_("Questions about sensitive matters are optional.")
CONSENT_QUESTION = N_("Do you agree to take part? Reply YES or NO.")
CONSENT_DECLINED = N_("Thank you. We will not ask you these questions. Nothing has been saved.")
CONSENT_REASK = N_("Sorry, please reply YES to start or NO if you do not want to take part.")
SENSITIVE_CONSENT = N_(
    "The next questions are about {category}. This is sensitive information and answering "
    "is optional. {why} Do you agree to answer questions about {category}? Reply YES or NO."
)
SENSITIVE_CATEGORY_ETHNICITY = N_("your ethnic group")
SENSITIVE_CATEGORY_RELIGION = N_("your religion or belief")
SENSITIVE_CATEGORY_HEALTH = N_("your health or disability")
SENSITIVE_CATEGORY_SEXUAL_ORIENTATION = N_("your sexual orientation")
SENSITIVE_CATEGORY_OTHER = N_("personal matters")

# Answering.
REPLY_WITH_NUMBER = N_("Reply with a number:")
REPLY_WITH_NUMBERS = N_("Reply with one or more numbers, for example 1,3:")
REPLY_YES_NO = N_("Reply YES or NO.")
REPLY_SCALE = N_("Reply with a number from {low} ({low_label}) to {high} ({high_label}).")
REPLY_DATE = N_("Reply with a date, for example {example}.")
OPTIONAL_HINT = N_("(optional - reply SKIP to skip)")
BUTTON_YES = N_("Yes")
BUTTON_NO = N_("No")

# Re-asks.
INVALID_CHOICE = N_("Sorry, I did not understand. Please reply with one of the numbers.")
INVALID_CHOICES = N_("Sorry, I did not understand. Please reply with the numbers, e.g. 1,3.")
INVALID_YES_NO = N_("Sorry, please reply YES or NO.")
INVALID_INTEGER = N_("Sorry, please reply with a whole number, for example 3.")
INVALID_DECIMAL = N_("Sorry, please reply with a number, for example {example}.")
INVALID_DATE = N_("Sorry, I could not read that date. Please write it like {example}.")
INVALID_SCALE = N_("Sorry, please reply with a number from {low} to {high}.")
INVALID_TEXT = N_("Sorry, that answer is too long. Please keep it under {limit} characters.")
INVALID_EMPTY_TEXT = N_("Sorry, that message had no text. Please write your answer.")
REQUIRED_ANSWER = N_("This question needs an answer, so it cannot be skipped.")

# Commands and endings.
HELP_TEXT = N_(
    "You are answering questions for {landlord}. Reply to each question, or: BACK to change "
    "your last answer, SKIP to skip an optional question, LANGUAGE to change language, "
    "STOP to stop."
)
NOTHING_TO_GO_BACK_TO = N_("There is no earlier answer to change.")
OPTED_OUT = N_("You will not get any more messages from {landlord}. Reply START to opt back in.")
OPTED_IN = N_("You will get messages from {landlord} again. Reply STOP at any time to stop.")
CHOOSE_LANGUAGE = N_("Reply with the number of your language:")
LANGUAGE_CHANGED = N_("Language changed to English.")
COMPLETED = N_("Thank you, that is everything. Your answers have been saved.")
INCOMPLETE = N_(
    "Sorry, we could not get an answer to that question, so we will stop here. "
    "Thank you for your time. Someone may contact you instead."
)
EXPIRED = N_("Sorry, this survey has closed. Thank you.")
NO_SURVEY = N_("Hello from {landlord}. There is no survey open for you right now.")
HELP_NO_SURVEY = N_(
    "This number sends surveys from {landlord} about your home and services. When a survey "
    "arrives, reply to its questions. Reply STOP to get no more messages."
)
SERVICE_ERROR = N_("Sorry, something went wrong on our side. Please try again later. Ref: {ref}")

# Telegram.
TELEGRAM_LINKED = N_(
    "Thank you. This Telegram chat is now connected to your {landlord} account, so we can "
    "send you surveys here. Type STOP at any time to stop."
)
TELEGRAM_LINK_INVALID = N_(
    "Sorry, this link has expired or has already been used, so nothing has been connected. "
    "Please ask {landlord} for a new link."
)
TELEGRAM_TEXT_ONLY = N_("Sorry, I can only read text. Please type your answer.")
TELEGRAM_MOVED_ON = N_("This conversation has moved on. Please answer the latest message.")
TELEGRAM_TAP_THEN_DONE = N_("Tap every option that applies, then tap {done}.")
TELEGRAM_DONE = N_("Done")
TELEGRAM_PICK_FIRST = N_("Please tap at least one option first, or type the numbers.")

# Web chat page (the questions themselves come from the engine, as on every channel).
CHAT_PAGE_TITLE = N_("Chat with {landlord}")
CHAT_CONVERSATION = N_("Conversation")
CHAT_THEY_SAID = N_("{landlord} said:")
CHAT_YOU_SAID = N_("You said:")
CHAT_SKIP_TO_ANSWER = N_("Skip to your answer")
CHAT_CHOOSE_ANSWER = N_("Choose an answer")
CHAT_CHOOSE_ANSWERS = N_("Choose one or more answers")
CHAT_SEND_CHOICES = N_("Send my choices")
CHAT_TYPE_ANSWER = N_("Type your answer")
CHAT_OR_TYPE_ANSWER = N_("Or type your answer")
CHAT_SEND = N_("Send")
CHAT_COMMANDS_HINT = N_("You can also type BACK to change your last answer, SKIP, HELP or STOP.")
CHAT_LANGUAGE = N_("Language")
CHAT_CHANGE_LANGUAGE = N_("Change language")
CHAT_CHOOSE_SURVEY = N_("Choose a survey")
CHAT_PERSONAL_LINK = N_(
    "If we sent you a personal link by text message, please use that link instead: "
    "it keeps your answers with your tenancy."
)
CHAT_NO_SURVEYS = N_("There is no survey you can answer here without a personal link right now.")
CHAT_ENDED = N_("This conversation has ended.")
CHAT_PRIVACY = N_("Privacy notice")
CHAT_BACK = N_("Back to the chat")
CHAT_SORRY = N_("Sorry")
CHAT_INVITE_UNKNOWN = N_(
    "We could not find this link. Please check that it was copied in full, or contact us."
)
CHAT_INVITE_EXPIRED = N_(
    "This link has expired. Please contact us if you would still like to answer."
)
CHAT_INVITE_USED = N_("This link has already been used. Thank you for your answers.")
CHAT_EXPIRED_FORM = N_("This page had expired, so nothing was sent. Please try again.")
CHAT_TOO_MANY = N_("You are sending very quickly. Please wait a minute and try again.")
CHAT_TOO_LONG = N_("That answer is too long. Please keep it under {limit} characters.")
CHAT_EMPTY = N_("Please type an answer before sending.")
CHAT_BAD_REQUEST = N_("Sorry, we could not read that. Please go back and try again.")
CHAT_NOT_AVAILABLE = N_("This survey cannot be answered here.")

# The consent card on channels with buttons (web chat, Telegram): one point a paragraph.
CONSENT_CARD_INTRO = NP_(
    "{landlord} would like to ask you some questions: {title}. It takes about {count} minute.",
    "{landlord} would like to ask you some questions: {title}. It takes about {count} minutes.",
)
CONSENT_CARD_WHY = N_("Why we ask: {purpose}")
CONSENT_CARD_WHO_SEES = N_("Who sees your answers: {consent}")
CONSENT_CARD_KEPT = N_("We keep your answers for {period}.")
CONSENT_CARD_STOP = N_("You can stop at any time: type STOP.")
# Translators: keep "text: address" - the web chat shows the text as the link.
CONSENT_CARD_PRIVACY = N_("Privacy notice: {privacy_url}")
CONSENT_CARD_QUESTION = N_("Do you agree to take part?")
BUTTON_AGREE = N_("I agree")
BUTTON_NO_THANKS = N_("No thanks")

# Answering on channels with buttons: choose and type, never "reply".
CHOOSE_SCALE = N_("Choose a number from {low} ({low_label}) to {high} ({high_label}).")
TYPE_DATE = N_("Type a date, for example {example}.")
OPTIONAL_NOTE = N_("This question is optional.")
BUTTON_SKIP = N_("Skip this question")
BUTTON_BACK = N_("Change my last answer")
PROGRESS = N_("Question {number} of {total}")
CHOOSE_ONE_AGAIN = N_("Sorry, I did not understand. Please choose one of the answers.")
CHOOSE_SOME_AGAIN = N_("Sorry, I did not understand. Please choose one or more of the answers.")
CHOOSE_YES_NO_AGAIN = N_("Sorry, please choose Yes or No.")
TYPE_INTEGER_AGAIN = N_("Sorry, please type a whole number, for example 3.")
TYPE_DECIMAL_AGAIN = N_("Sorry, please type a number, for example {example}.")
CHOOSE_SCALE_AGAIN = N_("Sorry, please choose a number from {low} to {high}.")
CONSENT_CHOOSE_AGAIN = N_(
    "Sorry, please choose I agree to start, or No thanks if you do not want to take part."
)
SENSITIVE_CONSENT_CHOOSE = N_(
    "The next questions are about {category}. This is sensitive information and answering "
    "is optional. {why} Do you agree to answer questions about {category}?"
)
HELP_TAP = N_(
    "You are answering questions for {landlord}. Choose or type an answer to each question. "
    "You can also type BACK to change your last answer, SKIP to skip an optional question, "
    "LANGUAGE to change language, or STOP to stop."
)
OPTED_OUT_TAP = N_(
    "You will not get any more messages from {landlord}. Type START if you change your mind."
)
OPTED_IN_TAP = N_("You will get messages from {landlord} again. Type STOP at any time to stop.")
CHOOSE_LANGUAGE_TAP = N_("Choose your language.")

# The ending on channels with buttons: one thank-you, then what happens next.
SAVED = N_("Your answers have been saved.")
NEXT_CONCERN = N_(
    "You told us about something that needs looking at. Someone from {landlord} will "
    "contact you about it soon."
)
NEXT_NOTHING = N_("You do not need to do anything else.")
CHAT_ANOTHER_SURVEY = N_("Answer another survey")
CHAT_HELP_PHONE = N_("Need help? Call {phone}")
# Timing adjustable (WCAG 2.2.1): how long is left, a warning before the end, and more time.
CHAT_TIME_LEFT = N_(
    "This conversation stays open for {time} more. Your answers are saved as you go: if "
    "you leave, open this page again to carry on."
)
CHAT_TIME_WARNING = N_("This conversation will close in {time}. Do you need more time?")
CHAT_MORE_TIME = N_("I need more time")
CHAT_TIME_EXTENDED = N_("You have more time. This conversation now stays open for {time}.")

# Channels where a tenant taps buttons or types: the SMS wording (on the left) is replaced.
TAP_CHANNELS = frozenset({"webchat", "telegram"})
TAP_WORDING = {
    REPLY_WITH_NUMBER: CHAT_CHOOSE_ANSWER,
    REPLY_WITH_NUMBERS: CHAT_CHOOSE_ANSWERS,
    REPLY_SCALE: CHOOSE_SCALE,
    REPLY_DATE: TYPE_DATE,
    OPTIONAL_HINT: OPTIONAL_NOTE,
    INVALID_CHOICE: CHOOSE_ONE_AGAIN,
    INVALID_CHOICES: CHOOSE_SOME_AGAIN,
    INVALID_YES_NO: CHOOSE_YES_NO_AGAIN,
    INVALID_INTEGER: TYPE_INTEGER_AGAIN,
    INVALID_DECIMAL: TYPE_DECIMAL_AGAIN,
    INVALID_SCALE: CHOOSE_SCALE_AGAIN,
    CONSENT_REASK: CONSENT_CHOOSE_AGAIN,
    CONSENT_QUESTION: CONSENT_CARD_QUESTION,
    SENSITIVE_CONSENT: SENSITIVE_CONSENT_CHOOSE,
    HELP_TEXT: HELP_TAP,
    OPTED_OUT: OPTED_OUT_TAP,
    OPTED_IN: OPTED_IN_TAP,
    CHOOSE_LANGUAGE: CHOOSE_LANGUAGE_TAP,
}
# Cases (an answer about damp, safety or welfare): who will contact the tenant, and by when.
CASE_ACK = N_(
    "Thank you for telling us. Someone from the {landlord} housing team will contact you "
    "about this by {date}."
)
CASE_ACK_ANONYMOUS = N_(
    "Thank you for telling us. You are answering anonymously, so {landlord} cannot contact "
    "you: if you need help, please contact {landlord} directly."
)

SENSITIVE_CATEGORY_NAMES = {
    "ethnicity": SENSITIVE_CATEGORY_ETHNICITY,
    "religion": SENSITIVE_CATEGORY_RELIGION,
    "health": SENSITIVE_CATEGORY_HEALTH,
    "sexual_orientation": SENSITIVE_CATEGORY_SEXUAL_ORIENTATION,
    "other": SENSITIVE_CATEGORY_OTHER,
}
