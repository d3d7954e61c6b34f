from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "introloop.goals"
    label = "goals"

    def ready(self) -> None:
        from introloop.network.queries import TIMELINE_SOURCES
        from introloop.network.views import CONTACT_PAGE_EXTRAS
        from introloop.reminders.due import EXTRA_SOURCES
        from introloop.reminders.engine import EXTRA_CANDIDATES, EXTRA_OPT_OUTS
        from introloop.reminders.services import DONE_HANDLERS
        from introloop.reminders.views import TODAY_EXTRAS

        from .due import ask_done, ask_items
        from .queries import contact_page_balance, contact_timeline
        from .stats import outreach_for_today
        from .weekly import stop_weekly_summary, weekly_candidates

        EXTRA_SOURCES.append(ask_items)
        TODAY_EXTRAS.append(outreach_for_today)
        DONE_HANDLERS["ask"] = ask_done
        TIMELINE_SOURCES.append(contact_timeline)
        CONTACT_PAGE_EXTRAS.append(contact_page_balance)
        EXTRA_CANDIDATES.append(weekly_candidates)
        EXTRA_OPT_OUTS["weekly"] = stop_weekly_summary
