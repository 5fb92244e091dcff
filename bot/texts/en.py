"""English interface texts. Placeholders in {braces}; user text is HTML-escaped before filling."""

from matcher.categories import DISPLAY_NAMES

LANGUAGE_NAME = "English"

TEXTS: dict[str, str] = {
    # welcome and help
    "welcome": "👋 <b>Hoyamu</b> helps you find lost things on campus.\n"
               "Tell me what you lost or found, in English, Sinhala or Singlish.",
    "help": "<b>How Hoyamu works</b>\n"
            "• Lost something? Describe it: I show similar items that others found, and message "
            "you when a new one is reported.\n"
            "• Found something? Describe it: I quietly tell the likely owners.\n"
            "• The finder and the owner talk through me; nobody sees the other's number.\n\n"
            "Examples:\n"
            "• <i>Lost my black leather wallet in the main library</i>\n"
            "• <i>පුස්තකාලයේ මගේ කළු පසුම්බිය නැති වුණා</i>\n"
            "• <i>library eke kalu wallet ekak hambuna</i>\n\n"
            "/lost · /found · /mine (your reports) · /language · /cancel",
    "btn_lost": "😟 I lost something",
    "btn_found": "🙌 I found something",
    "btn_mine": "📋 My reports",
    "btn_language": "🌐 Language",
    "choose_language": "Choose your language:",
    "language_set": "Done: I will speak English with you.",
    "language_followed": "You wrote in Sinhala, so I will answer in Sinhala.",
    "btn_language_back": "🌐 Continue in English",
    "cancelled": "Cancelled. Nothing was saved. /start to begin again.",
    "nothing_to_cancel": "There is nothing to cancel. /start to begin.",
    "unknown_command": "I do not know that command. Try /help.",
    "not_text": "Please send text (or press one of the buttons).",
    "photo_needs_words": "Thanks for the photo, I will keep it with the report. Now describe the "
                         "item in words, please.",
    "stray_message": "To report an item, tell me in words what you lost or found, or press a "
                     "button below.",
    # reporting
    "ask_kind": "Did you <b>lose</b> this or <b>find</b> it?\n<i>{text}</i>",
    "ask_description_lost": "What did you lose? Describe it in your own words: colour, brand, "
                            "marks, what was inside.",
    "ask_description_found": "What did you find? Describe what you see (keep private details, "
                             "like what is inside, for the verification question).",
    "ask_place": "Where? (e.g. <i>main library, 2nd floor</i>) — or skip.",
    "ask_place_read": "Where: I read <b>{place}</b> in your report. Is that right? If not, type "
                      "the place.",
    "ask_detail": "Anything that tells your {what} apart from others? Its colour, brand, marks "
                  "or stickers, what was inside — or skip.",
    "ask_when": "When? Choose, or type a date like <i>25/11</i>.",
    "ask_when_read": "When: I read <b>{when}</b> in your report. Is that right? If not, choose "
                     "another day or type a date like <i>25/11</i>.",
    "btn_right": "✅ That's right",
    "bad_date": "I could not read that date. Type it like <i>25/11</i> or <i>2026-11-25</i>, "
                "or press a button.",
    "future_date": "That date is in the future. Please give the day it happened.",
    "ask_photo_lost": "Do you have a photo of it? Send it, or skip.",
    "ask_photo_found": "A photo helps the owner recognise it. Send one, or skip.",
    "ask_category": "I think this is: <b>{category}</b>. Is that right?",
    "choose_category": "Choose the category:",
    "ask_question": "Add a question only the real owner can answer (e.g. <i>What is the "
                    "wallpaper?</i>), or skip.",
    "summary": "<b>Please check your report</b>\n{kind_label}: {text}\n📍 {place}\n📅 {when}\n"
               "🏷 {category}\n📷 {photo}{question}",
    "summary_question": "\n❓ {question}",
    "kind_lost": "Lost",
    "kind_found": "Found",
    "not_given": "—",
    "yes": "yes",
    "no": "no",
    "today": "today",
    "yesterday": "yesterday",
    "btn_today": "Today",
    "btn_yesterday": "Yesterday",
    "btn_skip": "Skip ⏭",
    "btn_yes_category": "✅ Yes",
    "btn_change_category": "✏️ Change",
    "btn_submit": "✅ Submit",
    "btn_cancel": "✖️ Cancel",
    "saved": "✅ Saved your report #{id}.",
    "no_matches": "No strong matches yet — I will message you when someone finds something "
                  "similar.",
    "matches_intro": "Found items that may be yours:",
    "match": "<b>{score:.0f}</b> · {tier}\n{text}{details}{why}",
    "match_same": "same: {words}",
    "match_differs": "differs: {words}",
    "attr_item": "item",
    "attr_brand": "brand",
    "attr_colour": "colour",
    "attr_capacity": "capacity",
    "attr_name": "name",
    "attr_model": "model",
    "attr_material": "material",
    "attr_marks": "marks",
    "attr_contents": "contents",
    "attr_place": "place",
    "attr_size": "size",
    "found_notified": "Thank you! I notified {count} possible owner(s). I will tell you when "
                      "someone claims it.",
    "found_none": "Thank you! No matching lost report yet; I will notify the owner as soon as "
                  "one is reported.",
    "notify_owner": "🔔 Someone found something that may be yours — for your lost {what}, "
                    "report #{id}.",
    "notify_what_other": "item",
    "tier_Excellent": "Excellent match",
    "tier_Good": "Good match",
    "tier_Possible": "Possible match",
    "btn_mine_item": "👍 This is mine",
    "btn_not_mine": "👎 Not mine",
    # votes and claims
    "vote_down": "Thanks — noted that this is not yours. I will keep looking.",
    "vote_same": "Your answer was already recorded.",
    "vote_changed": "Changed your answer.",
    "ask_answer": "The finder asks: <b>{question}</b>\nPlease answer, so they know it is yours.",
    "claim_sent": "📨 I sent your claim to the finder. I will tell you what they say.",
    "claim_desk": "This item was handed in at the campus lost-and-found desk. Please go there "
                  "with your student ID.",
    "claim_to_finder": "📬 Someone says the item you found is theirs:\n<i>{text}</i>{report}{qa}",
    "claim_qa": "\n\nYour question: <b>{question}</b>\nTheir answer: <b>{answer}</b>",
    "btn_accept": "✅ Yes, it is theirs",
    "btn_decline": "✖️ No",
    "claim_accepted_finder": "You accepted the claim. You can now message the owner through me "
                             "to arrange the hand-back. Your number and username stay private.",
    "claim_accepted_owner": "🎉 The finder accepted your claim! Message them through me to "
                            "arrange the hand-back. Your number and username stay private.",
    "claim_declined_finder": "OK, I told them it does not seem to be theirs.",
    "claim_declined_owner": "The finder does not think this item is yours. I will keep looking "
                            "for yours.",
    "btn_message": "✉️ Send a message",
    "btn_share": "📇 Share my contact",
    "ask_relay": "Type your message. I will pass it on without your name or number.",
    "relay_from_owner": "✉️ Message from the owner:\n{text}",
    "relay_from_finder": "✉️ Message from the finder:\n{text}",
    "relay_sent": "Sent ✅",
    "relay_or_report": "Send this through me, or is it a new report?\n<i>{text}</i>"
                       "{conversations}",
    "relay_line": "\n{number}. to {whom} — about <i>{item}</i>",
    "whom_finder": "the finder",
    "whom_owner": "the owner",
    "btn_relay_send": "✉️ Send to {whom}",
    "btn_new_report": "📝 It is a new report",
    "share_waiting": "I will share your contact as soon as the other person agrees too.",
    "share_asked": "The other person would like to exchange contact details. Press "
                   "“Share my contact” if you agree.",
    "share_done": "You both agreed. Here is the contact: {contact}",
    "contact_link": "<a href=\"tg://user?id={id}\">open chat</a>",
    "contact_no_username": " (they have no Telegram username, so the link may not open; I have "
                           "asked them to send their number through me)",
    "ask_phone": "You have no Telegram username, so the other person may not be able to open a "
                 "chat with you. Tap “📱 Send my phone number” below to send them your number "
                 "(only to them), or set a username in Telegram's settings.",
    "btn_send_phone": "📱 Send my phone number",
    "phone_from": "📇 The other person's phone number, as they shared it:",
    "phone_sent": "Sent ✅ Only the person you agreed to share contact with gets it.",
    "phone_nowhere": "I did not pass that on: I share a number only when you and the other person "
                     "have both pressed “Share my contact”.",
    "phone_not_yours": "I can only pass on your own number: please use the “📱 Send my phone "
                       "number” button.",
    "returned_done": "🎉 Marked as returned and both reports are closed. Thank you for using "
                     "Hoyamu!",
    "claim_report": "\n\nTheir lost report (names and numbers hidden):\n<i>{text}</i>",
    "err_claim_declined": "The finder said this item is not yours. Only they can reopen your "
                          "claim; I will keep looking for yours.",
    "err_already_handed": "You already said you handed it over; the owner has been asked to "
                          "confirm.",
    "btn_reopen": "↩️ Reopen the claim",
    "claim_reopened_finder": "The claim is open again. Is the item theirs?",
    "claim_reopened_owner": "The finder is looking at your claim again. I will tell you what they "
                            "decide.",
    "btn_handed": "📦 I handed it over",
    "btn_got_back": "✅ I got it back",
    "btn_not_yet": "✖️ Not yet",
    "handed_finder": "Thank you! I asked the owner to confirm they got it back. If they do not "
                     "answer within {hours} hours, I will close it as returned.",
    "handed_owner": "📦 The finder says they handed your item back (<i>{text}</i>). Did you get it?",
    "not_yet_owner": "OK, the conversation stays open. Message the finder to arrange the "
                     "hand-back.",
    "not_yet_finder": "The owner says they have not got the item yet. Message them to arrange the "
                      "hand-back.",
    "handback_reminder": "⏳ Did you get your item back (<i>{text}</i>)? The finder says they "
                         "handed it over. If I hear nothing within {hours} hours, I will close it "
                         "as returned.",
    "handback_closed_owner": "The finder handed <i>{text}</i> over and I heard nothing from you, "
                             "so I closed it as returned. If you still do not have it, report it "
                             "again with /lost.",
    "handback_closed_finder": "The owner did not answer, so I closed the hand-back of "
                              "<i>{text}</i> as returned. Thank you for handing it back!",
    "confirm_delete": "Delete report #{id}? This cannot be undone, and a claim on it ends (the "
                      "other person is told).",
    "btn_delete_yes": "🗑 Yes, delete it",
    "btn_keep": "↩️ Keep it",
    "item_kept": "Report #{id} stays as it is.",
    "claim_ended": "ℹ️ The report behind the claim about <i>{text}</i> was closed by the other "
                   "person, so the claim has ended.",
    # my reports
    "mine_empty": "You have no open reports. /lost or /found to add one.",
    "mine_item": "#{id} · {kind_label} · {category}\n{text}\n⏳ open until {expires}",
    "btn_item_returned": "✅ Got it back",
    "btn_item_close": "🔒 Close",
    "btn_item_delete": "🗑 Delete",
    "btn_item_extend": "⏳ Keep open",
    "item_returned": "Great! Report #{id} is closed as returned.",
    "item_closed": "Report #{id} is closed.",
    "item_deleted": "Report #{id} is deleted.",
    "item_extended": "Report #{id} stays open until {expires}.",
    "reminder": "⏳ Your report #{id} (<i>{text}</i>) will expire on {expires}. Keep it open?",
    "expired": "Your report #{id} (<i>{text}</i>) has expired and is closed. Report it again "
               "if you still need it.",
    # errors and limits
    "err_empty": "Please describe the item in a few words.",
    "err_too_long": "That is {length} characters; please keep it under {limit}.",
    "err_no_words": "Please describe the item in words — emoji alone are not enough to find it.",
    "err_rate_limited": "You have sent {limit} reports in the last hour. Please try again later.",
    "err_not_found": "That report no longer exists.",
    "err_not_yours": "Sorry, that is not yours.",
    "err_not_open": "That report is already closed.",
    "err_stale": "This button is no longer active.",
    "err_already_claimed": "You have already claimed this item; the finder will answer soon.",
    "err_claim_limit": "This item has had too many claims. Please contact the campus "
                       "lost-and-found desk.",
    "err_bad_category": "I do not know that category.",
    "err_generic": "Something went wrong on my side. Nothing you confirmed is lost; please try "
                   "again.",
    "err_busy": "I am a little busy right now. Please try again in a moment.",
    "banned": "Sorry, you cannot use Hoyamu.",
    # admin
    "admin_only": "Sorry, only campus admins can use that command.",
    "stats": "<b>Hoyamu stats</b>\nOpen lost: {open_lost}\nOpen found: {open_found}\n"
             "Returned: {returned}\nMatches shown: {matches_shown}\n👍 {feedback_up} · "
             "👎 {feedback_down}\nModel: {model} ({index_size} items indexed)",
    "reindexed": "Index rebuilt: {count} open items.",
    "stats_more": "Median time to hand-back: {handback}\nModel held-out top-1 {top1}, "
                  "MRR@10 {mrr}",
    "chart_scores": "Scores of shown matches, by 👍/👎",
    "chart_training": "Training curve of the current model",
    "retrain_started": "🏋️ Retraining started (feedback folded first; students are still "
                       "served).",
    "retrain_running": "A retraining is already running; wait for it to finish.",
    "retrain_folded": "Folded feedback: {pairs} new pairs.",
    "retrain_epoch": "Epoch {epoch}/{epochs}: loss {loss}, held-out top-1 {top1}",
    "retrain_promoted": "✅ {version} is now serving (held-out top-1 {before} → {after}).",
    "retrain_candidate": "🧪 {version} passed the gate ({before} → {after}) and now gets the A/B "
                         "share of searches. /promote to make it current.",
    "retrain_not_promoted": "✖️ {version} was not promoted: {reason} ({before} → {after}). "
                            "Nothing changed.",
    "retrain_failed": "✖️ Retraining failed, nothing changed: {reason}",
    "retrain_crashed": "an unexpected error (the details are in the bot's log)",
    "retrain_styles": "Held-out top-1 by style (new/current/base): {styles}. "
                      "Canaries: {held}/{checked} hold.",
    "retrain_bad_pairs": "✖️ Retraining stopped, nothing changed: entry {index} of <code>{file}"
                         "</code> is not valid ({reason}). Correct or delete that entry (the "
                         "first entry is 0), then send /retrain again.",
    "retrain_bad_pairs_file": "✖️ Retraining stopped, nothing changed: <code>{file}</code> cannot "
                              "be read ({reason}). Restore it from a backup (hoyamu restore) or "
                              "correct it, then send /retrain again.",
    "model_line": "<b>{role}</b>: {version} (held-out top-1 {top1}, MRR@10 {mrr})",
    "ab_header": "<b>A/B</b> (candidate share {fraction}):",
    "ab_line": "{model}: shown {shown}, 👍 {up} 👎 {down}, 👍 rate {rate} (95% CI {low}–{high})",
    "ab_empty": "No matches shown yet.",
    "promoted": "✅ {version} is now serving.",
    "rolled_back": "↩️ Rolled back: {version} is serving again.",
    "export_caption": ("Folded feedback pairs: {total}, each from a verified signal\n"
                       "• claims the finder accepted: {accepted}\n"
                       "• items handed back: {returned}\n"
                       "• declined claims (hard negatives): {declined}\n"
                       "• 👎 votes (hard negatives): {down}\n"
                       "• API verdicts (hard negatives): {api}\n"
                       "A 👍 alone trains nothing. The hand-written pairs stay in text_pairs.json."),
    "export_empty": ("No verified feedback has been folded yet. /retrain folds it (claims the "
                     "finder accepted, items handed back, declined claims and 👎)."),
    # command menu
    "cmd_start": "Start Hoyamu",
    "cmd_lost": "Report something you lost",
    "cmd_found": "Report something you found",
    "cmd_mine": "Your open reports",
    "cmd_language": "Change language",
    "cmd_help": "How it works",
    "cmd_cancel": "Cancel the current step",
}

# One table for every interface: the names the parser reads back (matcher/categories.py).
CATEGORY_NAMES: dict[str, str] = DISPLAY_NAMES["en"]
