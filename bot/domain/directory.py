"""Who the cities, topics, contacts and coordinators are: an immutable snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.budget import BudgetInfo, budget_for
from bot.domain.travel import TravelRate


@dataclass(frozen=True)
class CityInfo:
    key: str
    name: str
    email_domains: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    # Whose public holidays the city keeps, e.g. "DE-HB"; None: the network's.
    holidays: str | None = None


@dataclass(frozen=True)
class TopicInfo:
    key: str
    name: str
    name_en: str | None = None

    def label(self, lang: str) -> str:
        """The name in `lang` where the directory has one (`name_en`), else the name."""
        return {"en": self.name_en}.get(lang) or self.name


@dataclass(frozen=True)
class TopicContact:
    city: str
    topic: str
    users: tuple[str, ...]


@dataclass(frozen=True)
class Directory:
    network_name: str = ""
    coordinators: tuple[str, ...] = ()
    cities: tuple[CityInfo, ...] = ()
    topics: tuple[TopicInfo, ...] = ()
    topic_contacts: tuple[TopicContact, ...] = ()
    budgets: tuple[BudgetInfo, ...] = ()
    # The network's public holidays (e.g. "DE"), for cities without their own; None: none.
    holidays: str | None = None
    # The network's privacy page (https://…); None: none named in the directory.
    privacy_url: str | None = None
    # Travel cost per person between two cities, either way round.
    travel_rates: tuple[TravelRate, ...] = ()
    # The line the coordinators set for the certificates of participation (who signs), and
    # its English version; None: the certificate names the network's coordination.
    certificate_signature: str | None = None
    certificate_signature_en: str | None = None
    _cities: dict[str, CityInfo] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _topics: dict[str, TopicInfo] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._cities.update({c.key: c for c in self.cities})
        self._topics.update({t.key: t for t in self.topics})

    @property
    def is_usable(self) -> bool:
        """A request needs at least two cities (own and partner) and one topic."""
        return len(self.cities) >= 2 and len(self.topics) >= 1

    def certificate_line(self, lang: str) -> str | None:
        """The certificate's signature line in `lang` (the English one where there is one)."""
        return {"en": self.certificate_signature_en}.get(lang) or self.certificate_signature

    def city(self, key: str) -> CityInfo | None:
        return self._cities.get(key)

    def topic(self, key: str) -> TopicInfo | None:
        return self._topics.get(key)

    def budget_for(self, year: int, city_key: str) -> BudgetInfo | None:
        """The travel budget a request of `city_key` starting in `year` is charged to."""
        return budget_for(self.budgets, year, city_key)

    def budget_name(self, budget: BudgetInfo) -> str:
        """Whose budget it is: the city's name for its own share, else the network's."""
        return self.city_name(budget.city) if budget.city else self.network_name

    def city_name(self, key: str) -> str:
        city = self._cities.get(key)
        return city.name if city else key

    def topic_label(self, key: str, lang: str) -> str:
        topic = self._topics.get(key)
        return topic.label(lang) if topic else key

    def city_for_email(self, email: str | None) -> str | None:
        """The city whose e-mail domain matches (sub-domains included)."""
        if not email or "@" not in email:
            return None
        domain = email.rsplit("@", 1)[1].lower()
        for city in self.cities:
            for d in city.email_domains:
                d = d.lower()
                if domain == d or domain.endswith("." + d):
                    return city.key
        return None

    def contacts_of(self, city_key: str) -> tuple[str, ...]:
        city = self._cities.get(city_key)
        return city.contacts if city else ()

    def people(self) -> tuple[str, ...]:
        """Everyone the directory names: coordinators, contacts, topic contacts."""
        found = [*self.coordinators]
        for city in self.cities:
            found += city.contacts
        for tc in self.topic_contacts:
            found += tc.users
        return tuple(dict.fromkeys(found))

    def is_coordinator(self, user_id: str) -> bool:
        return user_id in self.coordinators

    def may_decide(self, user_id: str, city_key: str) -> bool:
        """Contacts of the requester's own city decide; coordinators may act on anything."""
        return user_id in self.contacts_of(city_key) or self.is_coordinator(user_id)

    def naming_contacts(self, city_key: str, topic_key: str) -> tuple[str, ...]:
        """Who names the experts of a partner city: the topic's people first, else the city's."""
        for tc in self.topic_contacts:
            if tc.city == city_key and tc.topic == topic_key and tc.users:
                return tc.users
        return self.contacts_of(city_key)

    def may_name(self, user_id: str, city_key: str, topic_key: str) -> bool:
        return (
            user_id in self.naming_contacts(city_key, topic_key)
            or user_id in self.contacts_of(city_key)
            or self.is_coordinator(user_id)
        )
