"""`doorstep whatsapp templates`: the Content templates to submit to WhatsApp, in every language.

Each purpose needs one approved template per language (English at least: other languages
fall back to it). Every template has two variables: {{1}} the landlord's name and {{2}} the
message itself on one line.
"""

from __future__ import annotations

import typer
from rich.console import Console

from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import translator
from bot.settings import get_settings
from bot.settings_checks import WHATSAPP_PURPOSES as PURPOSES
from channels.whatsapp.templates import PURPOSE_NAMES, TEMPLATE_TEXTS

app = typer.Typer(help="Connect a WhatsApp sender through Twilio.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


@app.command("templates")
def templates() -> None:
    """Print the template texts to submit for approval, and which ones are configured."""
    configured = get_settings().whatsapp_templates
    for purpose in PURPOSES:
        out.print(f"\n{PURPOSE_NAMES[purpose].capitalize()} ({purpose}):", markup=False)
        for language in LANGUAGES:
            sid = configured.get(purpose, {}).get(language)
            status = f"configured as {sid}" if sid else "not configured"
            text = translator(language)(TEMPLATE_TEXTS[purpose])
            out.print(f"  {language} [{status}]: {text}", markup=False)
    out.print(
        "\nVariables: {{1}} is the landlord's name, {{2}} the message itself on one line. "
        "Set DOORSTEP_WHATSAPP_TEMPLATES to the Content SIDs once approved.",
        markup=False,
    )
