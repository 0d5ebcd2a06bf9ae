"""Packaging details that pyproject.toml cannot express (everything else lives there).

The default questionnaires and the gettext catalogs stay in the repository's top-level
`questionnaires/` and `locales/` folders, and ship inside the wheel as `bot/_data/...`, so
an installed `doorstep` finds them from any folder. `bot.settings` reads the repository
folders in a source checkout or editable install, and the shipped copies otherwise.
"""

from setuptools import find_namespace_packages, setup

SHIPPED_DATA = {
    "bot._data.questionnaires": "questionnaires",
    "bot._data.locales": "locales",
}

setup(
    packages=[
        *find_namespace_packages(include=["bot*", "channels*", "api*", "analysis*"]),
        *SHIPPED_DATA,
    ],
    package_dir=SHIPPED_DATA,
)
