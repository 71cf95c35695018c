"""The app's language: Korean or English, from the system locale unless the user chose one.

Strings go through Qt's translation system; the Korean catalogue is
``resources/translations/kperf_ko.qm`` (compiled from ``kperf_ko.ts``).
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from .paths import TRANSLATIONS
from .settings import LANGUAGE, settings

LANGUAGES = ("en", "ko")

_installed: list[QTranslator] = []


def system_language() -> str:
    """``ko`` where the system speaks Korean, else ``en``."""
    return "ko" if QLocale.system().language() == QLocale.Language.Korean else "en"


def chosen_language() -> str:
    """The language from the Language menu, else the system's."""
    lang = settings().value(LANGUAGE, "", type=str)
    return lang if lang in LANGUAGES else system_language()


def remember_language(lang: str) -> None:
    settings().setValue(LANGUAGE, lang)


def install(lang: str) -> bool:
    """Make ``lang`` the app's language; True when its catalogue was loaded (English needs
    none). Qt's own catalogue (standard buttons, file dialogs) is loaded with it where Qt ships
    one."""
    app = QCoreApplication.instance()
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if lang == "en":
        return True
    translator = QTranslator(app)
    if not translator.load(f"kperf_{lang}", str(TRANSLATIONS)):
        return False
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    app.installTranslator(translator)
    _installed.append(translator)
    return True
