"""Callback, block and action ids, shared by builders, listeners and tests."""

COMMAND = "/cr-request"
SHORTCUT_NEW_REQUEST = "cr_request_shortcut"

# Request modal and its input blocks (block_id; every element's action_id is VALUE).
VIEW_REQUEST = "cr_request_modal"
VALUE = "value"
B_TITLE = "title"
B_QUESTION = "question"
B_TOPIC = "topic"
B_FORMAT = "format"
B_DIRECTION = "direction"
B_OWN_CITY = "own_city"
B_PARTNERS = "partners"
B_DATE_FROM = "date_from"
B_DATE_TO = "date_to"
B_TRAVELLERS = "travellers"
B_COST = "cost"
# The fields the cost suggestion depends on send block_actions as they change
# (dispatch_action); their action_id is the form's VALUE, as for every field.
A_FORM_CHANGED = VALUE
SUGGESTING_BLOCKS = (B_FORMAT, B_DIRECTION, B_OWN_CITY, B_PARTNERS, B_TRAVELLERS)

# Buttons in messages and on the Home tab. Values are "<request id>:<version>".
A_APPROVE = "cr_approve"
A_DECLINE = "cr_decline"
A_ASK = "cr_ask"
A_NAME_EXPERTS = "cr_name_experts"
A_MARK_MATCHED = "cr_mark_matched"
A_NEW_DATES = "cr_new_dates"
A_CANCEL = "cr_cancel"
A_ANSWER = "cr_answer"
A_EDIT = "cr_edit"
A_NEW_REQUEST = "cr_new_request"
A_REFLECT = "cr_reflect"
A_FILE_AGAIN = "cr_file_again"  # after a decline or a lapse: the form, prefilled
# The certificate of participation (in the DM after the exchange, and on the Home tab).
A_CERTIFICATE = "cr_certificate"

# Smaller modals opened from buttons.
VIEW_DECLINE = "cr_decline_modal"
VIEW_ASK = "cr_ask_modal"
VIEW_ANSWER = "cr_answer_modal"
VIEW_NAME_EXPERTS = "cr_name_experts_modal"
VIEW_REFLECT = "cr_reflect_modal"
B_REASON = "reason"
B_EXPERTS = "experts"
B_NOTE = "note"
B_WORKED = "worked"
B_NOT_WORKED = "not_worked"
B_RECOMMEND = "recommend"
B_RATING = "rating"

# The network's memory: search (Home button, modal, "more" paging) and goals.
A_SEARCH_OPEN = "cr_search_open"
A_SEARCH_MORE = "cr_search_more"
VIEW_SEARCH = "cr_search_modal"
B_SEARCH = "search"
B_GOALS = "goals"
B_OFFER = "offer"
A_CONFIRM_AGREEMENT = "cr_confirm_agreement"
B_WILL_APPLY = "will_apply"
B_SHARE = "share"
A_FOLLOW_UP = "cr_follow_up"
VIEW_FOLLOW_UP = "cr_follow_up_modal"
B_FOLLOW_UP = "follow_up"
# Deputies (Home tab buttons and their modal).
A_DEPUTY_SET = "cr_deputy_set"
A_DEPUTY_END = "cr_deputy_end"
VIEW_DEPUTY = "cr_deputy_modal"
VIEW_NEW_DATES = "cr_new_dates_modal"
B_DEPUTY_AWAY = "deputy_away"
B_DEPUTY_PERSON = "deputy_person"
B_DEPUTY_UNTIL = "deputy_until"

# Cost claims after the trip.
A_CLAIM = "cr_claim"
A_CLAIM_CHECK = "cr_claim_check"
A_CLAIM_QUESTION = "cr_claim_question"
A_CLAIM_PAID = "cr_claim_paid"
VIEW_CLAIM = "cr_claim_modal"
VIEW_CLAIM_QUESTION = "cr_claim_question_modal"
B_CLAIM_AMOUNT = "claim_amount"
B_CLAIM_BASIS = "claim_basis"
B_CLAIM_NOTE = "claim_note"
B_CLAIM_FILES = "claim_files"

# The directory in Slack (coordinators): the Home button, the overview modal and its
# buttons, and the one edit modal (what it edits is in its private_metadata, "op").
A_DIRECTORY_OPEN = "cr_directory_open"
A_DIR_ADD_CONTACT = "cr_dir_add_contact"
A_DIR_REMOVE_CONTACT = "cr_dir_remove_contact"
A_DIR_TOPIC_CONTACT = "cr_dir_topic_contact"
A_DIR_ADD_COORDINATOR = "cr_dir_add_coordinator"
A_DIR_REMOVE_COORDINATOR = "cr_dir_remove_coordinator"
A_DIR_ADD_TOPIC = "cr_dir_add_topic"
A_DIR_BUDGET = "cr_dir_budget"
VIEW_DIRECTORY = "cr_directory_modal"
VIEW_DIR_EDIT = "cr_dir_edit_modal"
B_DIR_PERSON = "dir_person"
B_DIR_PEOPLE = "dir_people"
B_DIR_TOPIC = "dir_topic"
B_DIR_NAME = "dir_name"
B_DIR_NAME_EN = "dir_name_en"
B_DIR_KEY = "dir_key"
B_DIR_YEAR = "dir_year"
B_DIR_WHOSE = "dir_whose"
B_DIR_AMOUNT = "dir_amount"

# The audit trail of a request (coordinators): the button on their messages and Home rows
# (value: the request id), and the modal it opens.
A_HISTORY_OPEN = "history_open"
VIEW_HISTORY = "cr_history_modal"
