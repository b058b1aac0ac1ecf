"""Who is at the sandbox's desk: the demo people, and the ones a trainer adds.

Everybody joins the way real users do: the sandbox issues an invite, exactly as
`panong invite` does, and the person sends `/start CODE` to the bot. The bot then runs its
real redemption path, with its checks, audit entry and welcome message.
"""

from dataclasses import dataclass

from bot.domain.models import ROLE_ORGANISATION_KINDS, Organisation, Role
from bot.runtime import Runtime
from bot.services import onboarding
from sandbox.botapi import BotApi, JSONDict, bad_request

ROLE_LABELS = {Role.TEACHER: "Teacher", Role.FOCAL_POINT: "Focal point",
               Role.COORDINATOR: "Coordinator"}


@dataclass(frozen=True)
class DemoPerson:
    id: int
    first_name: str
    language_code: str
    role: Role
    organisation_id: str


# A teacher in the field, the units that most referrals go to, and the provincial office.
# The first three are the chats the web page opens first.
DEMO_PEOPLE = (
    DemoPerson(100001, "ครูสมศรี", "th", Role.TEACHER, "school_wat_phraek_sa"),
    DemoPerson(100002, "วิไล (สกร.เมือง)", "th", Role.FOCAL_POINT, "dole_d1101"),
    DemoPerson(100003, "ประเสริฐ (ศธจ.)", "th", Role.COORDINATOR, "peo_samutprakan"),
    DemoPerson(100004, "Malee", "en", Role.TEACHER, "school_wat_khlong_mon"),
    DemoPerson(100005, "สมชาย (สพป.1)", "th", Role.FOCAL_POINT, "spp1_samutprakan"),
    DemoPerson(100006, "อรุณี (วท.สมุทรปราการ)", "th", Role.FOCAL_POINT, "ovec_sptc"),
    DemoPerson(100007, "ธนา (สพร.)", "th", Role.FOCAL_POINT, "dsd_isd1_samutprakan"),
    DemoPerson(100008, "จันทร์เพ็ญ (พมจ.)", "th", Role.FOCAL_POINT, "msdhs_pso_samutprakan"),
    # Primary ESA 2 covers Bang Phli, where the demo journey finds the child.
    DemoPerson(100009, "นภา (สพป.2)", "th", Role.FOCAL_POINT, "spp2_samutprakan"),
)


def _label(role: Role, organisation: Organisation) -> str:
    return f"{ROLE_LABELS[role]} · {organisation.short_en or organisation.name_en}"


class People:
    def __init__(self, api: BotApi, runtime: Runtime) -> None:
        self.api = api
        self.runtime = runtime

    async def organisations(self) -> list[JSONDict]:
        """Every active unit, with the roles a new person may join it as."""
        organisations = await self.runtime.db.read.organisations.active()
        return [{"id": org.id, "name": org.name_en,
                 "roles": [role.value for role in Role
                           if org.kind in ROLE_ORGANISATION_KINDS[role]]}
                for org in organisations]

    async def add(self, first_name: str, language_code: str, role: Role | None = None,
                  organisation_id: str | None = None, user_id: int | None = None) -> JSONDict:
        """A new person at the desk; with a role, they join through an invite at once.
        Without one they are a stranger to the bot until a coordinator invites them."""
        first_name = first_name.strip()
        if not first_name or len(first_name) > 64:
            raise bad_request("a first name of 1 to 64 characters is needed")
        if language_code not in ("th", "en"):
            raise bad_request("language must be th or en")
        code = label = None
        if role is not None:
            if organisation_id is None:
                raise bad_request("choose the organisation the person joins")
            issued = await onboarding.create_invite(
                self.runtime.db, None, role=role, organisation_id=organisation_id,
                valid_for=self.runtime.settings.invite_validity, now=self.runtime.now())
            code, label = issued.invite.code, _label(role, issued.organisation)
        user_id = user_id or max(self.api.users, default=100000) + 1
        self.api.add_user(user_id, first_name, language_code, label or "New person · no access")
        if code is not None:
            self.api.send_text(user_id, f"/start {code}")
        return self.api.person(user_id)

    async def seed(self) -> None:
        for person in DEMO_PEOPLE:
            await self.add(person.first_name, person.language_code, person.role,
                           person.organisation_id, user_id=person.id)
