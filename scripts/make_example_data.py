"""Write provrag's bundled example data: the support knowledge base of Northwind Bank.

Northwind Bank is fictional. Every passage, question template, golden query and
gazetteer entry below was written for provrag; phone numbers come from the ranges
Ofcom reserves for drama, web addresses use the reserved ``.example`` domain.

Usage::

    python scripts/make_example_data.py [--seed 7] [--out provrag/example_data]

Same seed, same bytes: the generator uses no clock, no hash-randomised ordering,
and one ``random.Random`` per decision, seeded from ``(seed, purpose, record)``.

Files written (see the generated README.md in the output directory):
``kb_v1.jsonl``, ``kb_v2.jsonl``, ``bad_records.jsonl``, ``golden.jsonl``,
``golden.meta.json``, ``gazetteer.ttl``, ``manifest.json``, ``README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "provrag" / "example_data"
DEFAULT_SEED = 7

DATASET = "northwind-support"
V1 = "2026.10"
V2 = "2026.11"
INTAKE_DATASET = "northwind-intake"
HELP_URL = "https://help.northwind.example"
GAZETTEER_NS = "https://kb.northwind.example/gazetteer/"

PARAPHRASER = "nw-paraphraser"
QUESTION_GEN = "nw-question-gen"
ENGINE = "template-engine-1"
HUMANS = ("ann-1", "ann-2", "ann-3")
HEURISTIC = "intent-heuristic"
GUIDELINE_SWITCH = datetime(2026, 10, 15, tzinfo=UTC)  # guideline 1.2 from this day on


# =============================================================================
# The corpus: hand-written passages (origin "real")
# =============================================================================


@dataclass(frozen=True)
class Passage:
    key: str
    topic: str
    intent: str
    text: str
    asks: tuple[str, ...]  # verb phrases a customer would ask about ("How do I <ask>?")
    sensitivity: str = "public"
    section: str = "help-centre"
    product: str | None = None


def _p(
    key: str,
    topic: str,
    intent: str,
    text: str,
    *asks: str,
    sensitivity: str = "public",
    section: str = "help-centre",
    product: str | None = None,
) -> Passage:
    return Passage(key, topic, intent, " ".join(text.split()), asks, sensitivity, section, product)


DEFAULT_PRODUCT = {
    "cards": "cards",
    "mobile_app": "northwind-mobile",
    "transfers": "payments",
    "savings": "savings",
    "mortgages": "mortgages",
    "fraud": "fraud-and-security",
    "accounts": "current-accounts",
}

# fmt: off
PASSAGES: tuple[Passage, ...] = (
    # --- cards ---------------------------------------------------------------
    _p(
        "card-lost", "cards", "card_lost",
        """If your Northwind Bank debit or credit card is lost or stolen, freeze it straight away
        in Northwind Mobile under Cards > Freeze card. Then call our card services line on
        0808 157 0142, which is open 24 hours a day, 7 days a week, to cancel it permanently.
        A replacement card is free and arrives within 3 to 5 working days. Any payments you
        did not make after the loss will be refunded once we have checked them.""",
        "report a lost or stolen card", "cancel my card after it was stolen",
    ),
    _p(
        "card-activate", "cards", "card_activation",
        """New Northwind cards arrive inactive for your security. You can activate a card in
        Northwind Mobile by tapping Cards > Activate and entering the last four digits of the
        card number. Alternatively, make a chip and PIN transaction at any cash machine.
        Contactless payments only work after the first chip and PIN payment.""",
        "activate my new debit card",
    ),
    _p(
        "card-pin", "cards", "card_pin",
        """You can view your PIN at any time in Northwind Mobile under Cards > Show PIN, after
        confirming with Face ID, fingerprint or your passcode. If you do not use the app, call
        0113 496 0000 to request a PIN reminder by post, which takes about 5 working days.
        After three wrong PIN attempts the card is blocked; you can unblock it at any Northwind
        Bank cash machine by choosing PIN services.""",
        "find out my card PIN", "unblock my PIN after too many wrong tries",
    ),
    _p(
        "card-contactless", "cards", "card_contactless",
        """The contactless limit for Northwind debit and credit cards is £100 per payment. For
        security, you will sometimes be asked to insert your card and enter your PIN, usually
        after five contactless payments in a row or £300 spent contactlessly since your last
        PIN entry. Payments made with Apple Pay or Google Pay are not subject to the £100
        limit, because they are confirmed on your phone.""",
        "know how much I can pay contactless",
    ),
    _p(
        "card-cash-limit", "cards", "card_cash_limit",
        """The daily cash withdrawal limit is £500 for a Northwind Classic Debit card and £1,000
        for a Northwind Premier Debit card. You can lower your limit at any time in Northwind
        Mobile, or raise a Classic Debit limit to £1,000 for up to 7 days if you need more
        cash before a trip. Cash withdrawals at Northwind Bank and other UK cash machines are
        free.""",
        "increase my daily cash withdrawal limit",
        product="classic-debit",
    ),
    _p(
        "card-abroad", "cards", "card_abroad_fees",
        """The Northwind Classic Debit card is a Visa card and works wherever Visa is accepted.
        Card payments in a currency other than pounds carry a 2.75% non-sterling transaction
        fee, and cash withdrawals abroad cost 2% of the amount, minimum £1.50. The Northwind
        Platinum Credit card charges no foreign transaction fees. You do not need to tell us
        before you travel.""",
        "check the fees for using my debit card abroad",
        product="classic-debit",
    ),
    _p(
        "card-declined", "cards", "card_declined",
        """A card payment can be declined for several reasons: not enough money in the account,
        a blocked PIN, a frozen card or a security check. If we want to confirm a payment, we
        send a text message from Northwind Bank asking you to reply Y or N. Check the Cards
        screen in Northwind Mobile to see whether the card is frozen and why the last payment
        was declined.""",
        "find out why my card was declined",
    ),
    _p(
        "card-damaged", "cards", "card_replacement",
        """If your card is damaged, worn or the chip stops working, order a replacement in
        Northwind Mobile under Cards > Replace card. The new card keeps the same number,
        arrives within 3 to 5 working days and costs nothing. Your old card keeps working until
        you activate the new one.""",
        "replace a damaged card",
    ),
    _p(
        "card-delivery", "cards", "card_delivery",
        """We post new and replacement cards to the address we hold for you, in a plain white
        envelope. Cards normally arrive within 3 to 5 working days. If your card has not
        arrived after 10 working days, call card services on 0808 157 0142 so that we can
        cancel it and send another one. We cannot send cards to an address abroad.""",
        "track a card that has not arrived",
    ),
    _p(
        "credit-apply", "cards", "credit_card_apply",
        """To apply for a Northwind Platinum Credit card you must be 18 or over, live in the UK
        and earn at least £15,000 a year. Use the eligibility checker on northwind.example
        first: it runs a soft search that does not affect your credit score. Most applications
        receive a decision within 60 seconds, and the card arrives within 5 working days after
        approval.""",
        "apply for a credit card",
        product="platinum-credit",
    ),
    _p(
        "credit-apr", "cards", "credit_card_rates",
        """The Northwind Platinum Credit card is a Mastercard with a representative APR of 22.9%
        variable. New cardholders pay 0% interest on purchases for the first 12 months. Balance
        transfers made within 60 days of opening are at 0% for 18 months, with a balance
        transfer fee of 3%.""",
        "find out the interest rate on the Platinum credit card",
        product="platinum-credit",
    ),
    _p(
        "credit-min-payment", "cards", "credit_card_payment",
        """Each month you must pay at least the minimum payment shown on your statement: the
        greater of £25 or 1% of the balance plus interest and fees. Payment is due 25 days
        after the statement date. The easiest way never to miss a payment is to set up a
        Direct Debit in Northwind Mobile, choosing to pay the minimum, a fixed amount or the
        full balance.""",
        "work out the minimum payment on my credit card",
        product="platinum-credit",
    ),
    _p(
        "credit-fees", "cards", "credit_card_fees",
        """If a credit card payment is late, we charge a late payment fee of £12. A returned
        payment, such as a Direct Debit that bounces, also costs £12. We do not charge
        over-limit fees; instead, payments that would take you over your limit are declined.
        Repeated late payments can be reported to credit reference agencies.""",
        "know what happens if I pay my credit card late",
        product="platinum-credit",
    ),
    _p(
        "credit-limit", "cards", "credit_limit_increase",
        """You can ask for a higher credit limit once your account has been open for 6 months.
        Request it in Northwind Mobile under Credit card > Manage limit; we usually decide
        within 2 working days. We will not increase a limit if you have missed a payment in the
        last 12 months. You can lower your limit instantly at any time.""",
        "raise my credit limit",
        product="platinum-credit",
    ),
    _p(
        "card-wallets", "cards", "mobile_wallet",
        """You can add Northwind debit and credit cards to Apple Pay and Google Pay. In Northwind
        Mobile, open the card and tap Add to Apple Wallet or Add to Google Pay; no card details
        need to be typed. Both Visa debit cards and Mastercard credit cards are supported.
        Mobile payments are confirmed with your face, fingerprint or phone passcode.""",
        "add my card to Apple Pay", "use Google Pay with my Northwind card",
    ),
    _p(
        "card-virtual", "cards", "virtual_card",
        """Every Northwind Classic Debit customer can create a virtual card in Northwind Mobile
        for safer online shopping. The virtual card has its own 16-digit number, expiry date
        and security code, and it is ready to use instantly. You can delete it and create a new
        number up to once every 24 hours, which is useful after visiting a suspicious
        website.""",
        "get a virtual card number for online shopping",
        product="classic-debit",
    ),
    _p(
        "card-dispute", "cards", "card_dispute",
        """If you do not recognise a card payment or a seller has not delivered what you paid
        for, contact the seller first. If that does not solve it, raise a dispute in Northwind
        Mobile by tapping the transaction and choosing Report a problem, within 120 days of the
        payment. We then follow the Visa or Mastercard chargeback rules and usually give you a
        temporary credit within 10 working days while we investigate.""",
        "dispute a card payment", "get my money back from a seller",
    ),
    _p(
        "credit-student", "cards", "student_credit_card",
        """The Northwind Student Credit card is a Mastercard for full-time students aged 18 or
        over. It has a starting credit limit of £500 and a representative APR of 19.9%
        variable. There is no annual fee, and you can apply with a valid university email
        address.""",
        "get a credit card as a student",
        product="student-credit",
    ),
    _p(
        "card-gambling-block", "cards", "gambling_block",
        """You can block gambling payments on all your Northwind cards in Northwind Mobile under
        Cards > Spending controls. The block starts immediately. If you turn it off, there is a
        48-hour cooling-off period before gambling payments are allowed again, and you can ask
        us to make the block permanent.""",
        "block gambling transactions on my card",
    ),
    _p(
        "card-subscriptions", "cards", "card_recurring_payments",
        """A recurring card payment, such as a streaming subscription, is set up with the seller
        using your card details. You can see all subscriptions linked to a Northwind card in
        Northwind Mobile under Cards > Regular payments and cancel them there. We stop the
        payment immediately, but you should also tell the seller so that you do not owe them
        money.""",
        "stop a subscription that charges my card",
    ),
    # --- mobile app ----------------------------------------------------------
    _p(
        "app-install", "mobile_app", "app_install",
        """Northwind Mobile is free to download from the App Store for iPhones running iOS 16 or
        later and from Google Play for phones running Android 10 or later. To register, you need
        your Northwind card number, your date of birth and your mobile number. Registration
        takes about 5 minutes and finishes with a security code sent by text message.""",
        "download and register the Northwind app",
    ),
    _p(
        "app-locked", "mobile_app", "app_login",
        """If you enter the wrong passcode five times, Northwind Mobile locks for your safety. To
        unlock it, tap Forgotten passcode and confirm your identity with your card details and
        a short selfie video. If that does not work, call 0113 496 0000 and our team will reset
        your access, usually during the same call.""",
        "unlock the app after forgetting my passcode", "log back in to the mobile app",
    ),
    _p(
        "app-biometrics", "mobile_app", "app_biometrics",
        """You can log in to Northwind Mobile with Face ID or fingerprint instead of your
        passcode. Turn it on under Settings > Security > Biometric login. If someone else's face
        or fingerprint is saved on your phone, do not turn biometric login on, because they
        would be able to open your account.""",
        "log in with my fingerprint",
    ),
    _p(
        "app-new-phone", "mobile_app", "app_new_device",
        """When you get a new phone, download Northwind Mobile and log in with your usual
        details. We send a security code to your registered mobile number to confirm the new
        device, and the app on your old phone is switched off automatically. If you have also
        changed your number, update it in branch or by calling 0113 496 0000 first.""",
        "move the app to a new phone",
    ),
    _p(
        "app-notifications", "mobile_app", "app_notifications",
        """Northwind Mobile can send you a notification for every card payment, incoming payment
        and low balance. Choose which alerts you want under Settings > Notifications. Low
        balance alerts can be set at any amount between £10 and £500.""",
        "set up low balance alerts",
    ),
    _p(
        "app-statements", "mobile_app", "statements",
        """You can view and download statements as PDF files in Northwind Mobile under
        Account > Statements. Statements are available for the last 7 years. If you need a
        paper statement or one stamped by the bank, ask at any branch; the first one each month
        is free.""",
        "download a bank statement",
    ),
    _p(
        "app-cheques", "mobile_app", "cheque_deposit",
        """You can pay in cheques worth up to £2,000 each by taking photos of them in Northwind
        Mobile. Cheques paid in before 22:00 on a working day clear by 23:59 on the next working
        day. Keep the paper cheque for 30 days in case we need to check it, then destroy
        it.""",
        "pay in a cheque with my phone",
    ),
    _p(
        "app-insights", "mobile_app", "budgeting_tools",
        """Spending Insights in Northwind Mobile sorts your card payments into categories such as
        groceries, transport and bills. You can set a monthly budget for each category and
        receive a notification when you have used 80% of it. Insights only cover Northwind
        accounts.""",
        "set a monthly budget in the app",
    ),
    _p(
        "app-maintenance", "mobile_app", "app_outage",
        """We carry out planned maintenance on Northwind Mobile and online banking most Sundays
        between 01:00 and 04:00, when some services may be unavailable. Current problems and
        planned work are shown on our service status page at status.northwind.example. Card
        payments and cash machines keep working during maintenance.""",
        "check if the app is down",
    ),
    _p(
        "app-accessibility", "mobile_app", "accessibility",
        """Northwind Mobile works with the VoiceOver screen reader on iPhone and TalkBack on
        Android, and it follows your phone's text size setting. Customers can also ask for
        statements in large print, braille or audio. Our branches have hearing loops, and the
        Cardiff branch offers a video relay service for British Sign Language users.""",
        "get statements in braille or large print",
    ),
    _p(
        "app-change-address", "mobile_app", "change_details",
        """You can update your home address in Northwind Mobile under Profile > Personal
        details. If you have moved in the last 3 months, we may ask you to upload a utility bill
        or council tax letter. Changes to your name need a visit to a branch with proof, such as
        a marriage certificate or deed poll.""",
        "change my address",
    ),
    _p(
        "app-pots", "mobile_app", "savings_pots",
        """Pots let you set money aside inside your Northwind current account without opening a
        savings account. You can create up to 10 pots, give each one a name and a target, and
        move money in and out instantly. Money in pots does not earn interest; for interest,
        use an Easy Saver account.""",
        "put money aside in a pot",
    ),
    _p(
        "app-security-codes", "mobile_app", "security_code",
        """When you log in on a new device or make a large payment, we send a 6-digit security
        code by text message. The code is valid for 10 minutes and must only be entered in
        Northwind Mobile or online banking. Northwind Bank staff will never ask you to read a
        security code out to them.""",
        "know what the text message security code is for",
    ),
    _p(
        "online-banking", "mobile_app", "online_banking",
        """Online banking at northwind.example works in the current versions of Chrome, Edge,
        Firefox and Safari. You log in with your customer number, password and a security code
        from Northwind Mobile or a text message. For your safety, online banking logs you out
        after 10 minutes without activity.""",
        "log in to online banking on my computer",
        product="online-banking",
    ),
    # --- transfers -----------------------------------------------------------
    _p(
        "transfer-uk", "transfers", "transfer_uk",
        """Payments to other UK bank accounts use Faster Payments and are free. Most arrive
        within seconds, and almost all within 2 hours. Occasionally we hold a payment for
        security checks, in which case it can take up to 24 hours and we will tell you in the
        app.""",
        "send money to another UK bank", "know how long a UK transfer takes",
    ),
    _p(
        "transfer-limits", "transfers", "transfer_limits",
        """You can send up to £25,000 a day in Northwind Mobile and online banking, and up to
        £10,000 in a single payment to a new payee. For larger amounts, visit a branch with
        photo ID or use CHAPS. Payments between your own Northwind accounts have no daily
        limit.""",
        "send more than the daily transfer limit",
    ),
    _p(
        "transfer-new-payee", "transfers", "new_payee",
        """When you add a new payee, we check the name against the account using Confirmation of
        Payee. If the name is a close match or does not match, we show you a warning; stop and
        check before paying, because money sent to the wrong person can be hard to recover. The
        first payment to a new payee may be delayed by up to 4 hours for security.""",
        "add a new payee",
    ),
    _p(
        "transfer-international", "transfers", "transfer_international",
        """You can send money abroad in more than 30 currencies from Northwind Mobile using the
        SWIFT network. Each international payment costs £15, and other banks along the way may
        take their own fees. Payments made before 15:30 on a working day normally arrive within
        1 to 4 working days. You will need the recipient's IBAN and the BIC or SWIFT code of
        their bank.""",
        "send money to a bank account abroad",
    ),
    _p(
        "transfer-sepa", "transfers", "transfer_sepa",
        """Euro payments to banks in the SEPA area cost £2 and usually arrive the next working
        day. SEPA covers all EU countries plus Norway, Iceland, Liechtenstein, Switzerland and a
        few others. Choose Pay in euros in Northwind Mobile and enter the IBAN; a BIC is not
        needed.""",
        "pay someone in euros",
    ),
    _p(
        "exchange-rates", "transfers", "exchange_rates",
        """For international payments we convert currency using the Northwind exchange rate
        shown in the app before you confirm. For card payments abroad, the rate is set by Visa
        or Mastercard on the day the payment reaches us, plus our non-sterling transaction fee
        where it applies. Northwind exchange rates are updated every working day at 08:00.""",
        "see the exchange rate you use",
    ),
    _p(
        "standing-orders", "transfers", "standing_orders",
        """A standing order sends a fixed amount on a regular date, such as your rent every
        month. Set one up, change it or cancel it in Northwind Mobile under Payments > Standing
        orders. Changes must be made by 23:59 the day before the payment is due.""",
        "set up a standing order for my rent", "cancel a standing order",
    ),
    _p(
        "direct-debits", "transfers", "direct_debits",
        """Direct Debits let organisations collect payments from your account, such as energy
        bills or council tax. You can cancel a Direct Debit in Northwind Mobile, but you should
        also tell the organisation. If a wrong amount is taken, the Direct Debit Guarantee
        entitles you to an immediate refund from us.""",
        "cancel a Direct Debit",
    ),
    _p(
        "transfer-wrong-account", "transfers", "transfer_wrong_recipient",
        """If you send money to the wrong account, tell us immediately by calling 0113 496 0000
        or using Help > Payment problem in the app. We will contact the receiving bank and ask
        them to return the money. We aim to give you an update within 20 working days, but we
        cannot guarantee the money back if the recipient refuses to return it.""",
        "get back money I sent to the wrong account",
    ),
    _p(
        "transfer-chaps", "transfers", "transfer_chaps",
        """CHAPS is for urgent, high-value payments such as buying a house. A CHAPS payment
        costs £25 and arrives the same working day if we receive it before 15:00. You can
        request one in branch or by calling 0113 496 0000; it is not available in the app.""",
        "make a same-day payment for a house purchase",
    ),
    _p(
        "receive-international", "transfers", "receive_international",
        """To receive money from abroad, give the sender your IBAN and our BIC, NWBKGB2L. You can
        find your IBAN in Northwind Mobile under Account > Details. Incoming international
        payments of £100 or less are free; above £100 we charge a fee of £7.""",
        "receive money from abroad",
    ),
    _p(
        "scheduled-payments", "transfers", "scheduled_payments",
        """You can schedule a one-off payment for a future date up to 1 year ahead. Scheduled
        payments leave your account early in the morning of the chosen day, so make sure the
        money is there by then. You can edit or delete a scheduled payment until 23:59 the day
        before.""",
        "schedule a payment for later",
    ),
    _p(
        "pay-a-contact", "transfers", "pay_contact",
        """Pay a Contact lets you send up to £250 a day to friends who bank with Northwind, using
        just their mobile number. Both of you must have turned on Pay a Contact in Northwind
        Mobile under Settings > Payments. The money arrives instantly and there is no
        charge.""",
        "send money to a friend with their phone number",
    ),
    _p(
        "transfer-pending", "transfers", "transfer_pending",
        """A payment shown as pending has been sent but not yet completed. Most pending UK
        payments complete within 2 hours. If a payment has been pending for more than 1 working
        day, check your notifications in case we need you to confirm it, then call
        0113 496 0000.""",
        "find out why my payment is still pending",
    ),
    # --- savings -------------------------------------------------------------
    _p(
        "easy-saver", "savings", "savings_easy_access",
        """The Northwind Easy Saver pays 3.10% AER variable on balances up to £1,000,000. You can
        open it in Northwind Mobile with as little as £1 and take money out as often as you like
        with no penalty. Interest is calculated daily and paid monthly.""",
        "open an easy access savings account",
        product="easy-saver",
    ),
    _p(
        "fixed-saver", "savings", "savings_fixed",
        """The 1-Year Fixed Saver pays 4.25% AER fixed, and the 2-Year Fixed Saver pays 4.05%
        AER fixed. You need at least £1,000 to open one, and the maximum deposit is £250,000.
        You can add money only in the first 14 days, and you cannot withdraw before the end of
        the term.""",
        "lock my savings in for a fixed rate",
        product="fixed-saver",
    ),
    _p(
        "cash-isa", "savings", "savings_isa",
        """The Northwind Cash ISA pays 3.60% AER variable, and the interest is tax-free. You can
        pay in up to £20,000 in each tax year across all your ISAs. You can also transfer ISAs
        from other providers; the transfer usually takes up to 15 working days, and transferred
        money does not count towards this year's allowance.""",
        "transfer my ISA from another bank", "open a cash ISA",
        product="cash-isa",
    ),
    _p(
        "regular-saver", "savings", "savings_regular",
        """The Northwind Regular Saver pays 5.50% AER fixed for 12 months when you save between
        £25 and £300 each month. You need a Northwind current account to open it. You can miss
        one monthly payment without losing the rate, and after 12 months the balance moves to
        your Easy Saver.""",
        "save a small amount every month",
        product="regular-saver",
    ),
    _p(
        "junior-saver", "savings", "savings_children",
        """The Northwind Junior Saver is for children under 16 and pays 4.00% AER variable. A
        parent or guardian opens it in branch with the child's birth certificate. From age 16,
        the child can manage the account in Northwind Mobile themselves.""",
        "open a savings account for my child",
        product="junior-saver",
    ),
    _p(
        "notice-saver", "savings", "savings_notice",
        """The 95-Day Notice Saver pays 4.15% AER variable. To withdraw, give notice in Northwind
        Mobile; the money is paid to your current account 95 days later. If you need money
        sooner, you can cancel the notice and close the account, but you will lose 95 days of
        interest.""",
        "take money out of a notice account",
        product="notice-saver",
    ),
    _p(
        "round-ups", "savings", "round_ups",
        """Round-ups rounds each debit card payment up to the next pound and moves the spare
        change into your Easy Saver. A £3.40 coffee, for instance, moves 60p into savings. Turn
        it on in Northwind Mobile under Savings > Round-ups and choose to multiply the round-up
        by two or five.""",
        "save my spare change automatically",
        product="easy-saver",
    ),
    _p(
        "savings-rate-change", "savings", "savings_rate_change",
        """When we lower the interest rate on a variable savings account, we give you at least
        14 days' notice by email and in the app. During that time you can move or close the
        account without any charge. Rate rises can take effect immediately and are shown on
        northwind.example.""",
        "find out when my savings rate is changing",
    ),
    _p(
        "savings-close", "savings", "savings_close",
        """You can close an Easy Saver or Cash ISA in Northwind Mobile under Savings > Manage >
        Close account. The balance and any interest earned are moved to your current account
        within 2 hours. Fixed Savers cannot be closed before the end of the term except in
        special circumstances, such as bereavement.""",
        "close my savings account",
    ),
    _p(
        "savings-joint", "savings", "savings_joint",
        """Easy Saver and Notice Saver accounts can be held jointly by two people. Either holder
        can make withdrawals unless you tell us that both must agree. To add a second holder to
        an existing account, both of you need to visit a branch with photo ID.""",
        "open a joint savings account",
    ),
    _p(
        "savings-tax", "savings", "savings_tax",
        """Interest from Northwind savings accounts, except ISAs, is paid without tax taken off.
        Most people can earn up to £1,000 of savings interest a year tax-free under the Personal
        Savings Allowance. Each April we send an annual interest summary that you can use for
        your tax return.""",
        "find out if I pay tax on savings interest",
    ),
    # --- mortgages -----------------------------------------------------------
    _p(
        "mortgage-apply", "mortgages", "mortgage_apply",
        """You can get an agreement in principle for a Northwind Home Mortgage online in about 15
        minutes; it shows how much we may lend and uses a soft credit search. For the full
        application you will speak to a mortgage adviser and provide your last 3 months of
        payslips, 3 months of bank statements and photo ID. Most applications are decided
        within 10 working days once we have the valuation.""",
        "apply for a mortgage", "get an agreement in principle",
        product="home-mortgage",
    ),
    _p(
        "mortgage-first-home", "mortgages", "mortgage_first_time_buyer",
        """First-time buyers can borrow up to 95% of the property price with a Northwind Home
        Mortgage, so a 5% deposit may be enough. We usually lend up to 4.5 times your annual
        income, or 4.5 times combined income for joint applications. Gifted deposits from
        family are accepted with a signed gift letter.""",
        "buy my first home with a small deposit",
        product="home-mortgage",
    ),
    _p(
        "mortgage-rates", "mortgages", "mortgage_rates",
        """Our 2-Year Fixed mortgage is 4.39% at up to 75% loan-to-value, and our 5-Year Fixed is
        4.19% at up to 75% loan-to-value. Both have a product fee of £999, which you can add to
        the loan. After the fixed period, the rate moves to our Standard Variable Rate,
        currently 7.24%.""",
        "compare fixed mortgage rates",
        product="home-mortgage",
    ),
    _p(
        "mortgage-overpay", "mortgages", "mortgage_overpayment",
        """You can overpay up to 10% of your mortgage balance each year without an early
        repayment charge. Make one-off overpayments in Northwind Mobile under Mortgage >
        Overpay, or increase your monthly payment. You choose whether an overpayment reduces
        your monthly payment or shortens the term.""",
        "pay off my mortgage early",
        product="home-mortgage",
    ),
    _p(
        "mortgage-erc", "mortgages", "mortgage_early_repayment",
        """If you repay more than the allowance or leave a fixed rate early, an early repayment
        charge applies. For a 2-Year Fixed, the charge is 3% of the amount repaid in the first
        year and 2% in the second year. For a 5-Year Fixed, it falls from 5% in year one to 1%
        in year five. There is no charge on our Standard Variable Rate.""",
        "know the penalty for leaving my fixed rate early",
        product="home-mortgage",
    ),
    _p(
        "mortgage-new-deal", "mortgages", "mortgage_product_transfer",
        """Existing customers can choose a new Northwind deal up to 4 months before their current
        deal ends, with no legal work and no product transfer fee. You will find the deals
        available to you in Northwind Mobile under Mortgage > New deal. If you do nothing, your
        mortgage moves to the Standard Variable Rate when the deal ends.""",
        "switch to a new mortgage deal",
        product="home-mortgage",
    ),
    _p(
        "mortgage-difficulty", "mortgages", "mortgage_difficulty",
        """If you are worried about paying your mortgage, call our financial support team on
        0113 496 0811 as early as you can. Options include extending your term, switching to
        interest-only for a short time or a reduced payment plan. Talking to us does not by
        itself affect your credit file.""",
        "get help if I can't pay my mortgage",
        product="home-mortgage",
    ),
    _p(
        "mortgage-advisers", "mortgages", "mortgage_appointment",
        """Mortgage advisers are available by phone, video call or in branch. In Manchester, our
        mortgage adviser Samuel Reid holds appointments at the King Street branch on Tuesdays
        and Saturdays. Book any adviser appointment in Northwind Mobile or by calling the
        mortgage team on 0113 496 0750.""",
        "book an appointment with a mortgage adviser",
        product="home-mortgage",
    ),
    _p(
        "mortgage-valuation", "mortgages", "mortgage_valuation",
        """We arrange a basic mortgage valuation for every purchase, free of charge for Northwind
        Home Mortgage applicants. The valuation is for our lending decision and is not a survey
        of the property's condition. For a detailed report, we can arrange a HomeBuyer survey
        from £450 through our partner, Greystone Surveyors.""",
        "arrange a property survey",
        product="home-mortgage",
    ),
    _p(
        "mortgage-porting", "mortgages", "mortgage_porting",
        """If you move home during a fixed-rate deal, you can usually take your mortgage rate
        with you, known as porting. The new property must meet our lending rules, and you apply
        again as if for a new mortgage. If you need to borrow more, the extra amount is on a
        separate current rate.""",
        "move house and keep my mortgage",
        product="home-mortgage",
    ),
    _p(
        "buy-to-let", "mortgages", "mortgage_buy_to_let",
        """Northwind Buy to Let mortgages need a deposit of at least 25% of the property value.
        The expected rent must be at least 125% of the monthly interest at a test rate of 5.5%.
        You must already own your home and have a minimum personal income of £25,000.""",
        "get a buy to let mortgage",
        product="buy-to-let",
    ),
    _p(
        "mortgage-statement", "mortgages", "mortgage_statement",
        """We send an annual mortgage statement every January showing your balance, payments and
        interest for the past year. You can also see your balance and a redemption figure any
        time in Northwind Mobile under Mortgage. A formal redemption statement for your
        solicitor can be requested by calling 0113 496 0750.""",
        "get a mortgage redemption statement",
        product="home-mortgage",
    ),
    # --- fraud ---------------------------------------------------------------
    _p(
        "fraud-report", "fraud", "fraud_report",
        """If you see a payment you do not recognise, freeze your card in Northwind Mobile and
        call our fraud team on 0808 157 0999, open 24 hours a day. From abroad, call
        +44 113 496 0999. We will cancel the card, send a new one and investigate the payment.
        Never use a phone number from a text message or email to contact us.""",
        "report a fraudulent transaction",
    ),
    _p(
        "fraud-phishing", "fraud", "fraud_phishing",
        """Northwind Bank will never ask for your full PIN, password or security code by email,
        text or phone. Forward suspicious emails to phishing@northwind.example and suspicious
        texts to 7726, then delete them. If you clicked a link or entered details, call
        0808 157 0999 straight away.""",
        "report a suspicious email",
    ),
    _p(
        "fraud-app-scam", "fraud", "fraud_app_scam",
        """If you were tricked into sending money to a scammer, call 0808 157 0999 immediately.
        Under the reimbursement rules for authorised push payment scams, most victims are
        refunded up to £85,000 within 5 working days, unless we can show gross negligence. We
        may ask for screenshots of messages and details of how the scam happened.""",
        "get my money back after a scam",
    ),
    _p(
        "fraud-safe-account", "fraud", "fraud_safe_account",
        """Nobody from Northwind Bank, the police or any other organisation will ever ask you to
        move money to a safe account. If a caller says your money is at risk and must be moved,
        hang up. Call us back on 0808 157 0999 from a different phone if you can, because
        scammers can keep the line open.""",
        "check if a call asking me to move my money is real",
    ),
    _p(
        "fraud-security-check", "fraud", "fraud_security_check",
        """If a card payment looks unusual, we may send a text from Northwind Bank asking whether
        you made it. Reply Y if it was you or N if it was not; we will never ask you to click a
        link or call a number in that text. If you reply N, we block the card straight away and
        a fraud specialist will contact you.""",
        "reply to a text asking me to confirm a payment",
    ),
    _p(
        "fraud-identity-theft", "fraud", "fraud_identity_theft",
        """If you think someone has stolen your identity, call us on 0808 157 0999 so that we can
        add extra security checks to your accounts. Check your credit report for applications
        you did not make. You can also apply for protective registration, which asks lenders to
        make extra checks before granting credit in your name.""",
        "protect my accounts after identity theft",
    ),
    _p(
        "fraud-investment-scam", "fraud", "fraud_investment_scam",
        """Be wary of investment offers that promise high, guaranteed returns, especially in
        cryptocurrency, or that pressure you to decide quickly. Check that a firm is authorised
        before paying. Northwind Mobile shows a scam warning when you pay a new payee for an
        investment, and our Scam Support line on 0808 157 0777 can talk it through with you
        before you pay.""",
        "check if an investment offer is a scam",
    ),
    _p(
        "fraud-online-verification", "fraud", "fraud_online_verification",
        """Online card payments are protected by Visa Secure for debit cards and Mastercard
        Identity Check for credit cards. When a shop asks us to confirm a payment, Northwind
        Mobile opens and asks you to approve it with your face, fingerprint or passcode. If you
        do not have the app, we send a security code by text message instead.""",
        "approve an online payment in the app",
    ),
    _p(
        "fraud-romance-scam", "fraud", "fraud_romance_scam",
        """Romance scammers build a relationship online, often over months, and then ask for
        money for an emergency, travel or a medical bill. Never send money to someone you have
        only met online. If you are unsure, talk to a friend or call Scam Support on
        0808 157 0777.""",
        "spot a romance scam",
    ),
    _p(
        "fraud-agent-app-case", "fraud", "fraud_internal_app_case",
        """Agent procedure: when a customer reports an authorised push payment scam, open a case
        in CaseDesk with the tag APP-REIMB and record the time the customer first contacted us.
        Do not promise a refund on the call. Escalate every claim over £10,000 to the Fraud
        Operations team lead, Marcus Bell, within 2 hours. The 5 working day reimbursement
        clock starts when the claim is logged.""",
        "log an APP scam claim as an agent",
        sensitivity="restricted", section="agent-handbook",
    ),
    _p(
        "fraud-agent-fr12", "fraud", "fraud_internal_rules",
        """Internal rule FR-12: a card is blocked automatically after 3 declined online payments
        within 10 minutes at different merchants. Agents may lift an FR-12 block only after
        identity and verification at level 2, meaning a security code plus two knowledge
        questions. Never tell the customer the exact thresholds of the rule.""",
        "lift an automatic fraud block",
        sensitivity="restricted", section="agent-handbook",
    ),
    _p(
        "fraud-agent-mule", "fraud", "fraud_internal_mule",
        """Money mule indicators include many small incoming payments from unrelated people
        followed by quick cash withdrawals or crypto purchases. If you suspect an account is
        being used as a mule account, do not discuss your suspicion with the customer. Report it
        to the Financial Crime Unit within 24 hours using form FCU-7; the unit is led by Nadia
        Haddad.""",
        "report a suspected money mule account",
        sensitivity="restricted", section="agent-handbook",
    ),
    _p(
        "fraud-branch-cash", "fraud", "fraud_internal_cash",
        """Branch procedure: cash withdrawals over £5,000 need the branch manager's authorisation
        and a short conversation about the reason for the withdrawal. If the customer appears to
        be under pressure or is being guided by someone on the phone, delay the withdrawal and
        call the Fraud Operations team on extension 4410. Record the outcome in CaseDesk.""",
        "handle a large cash withdrawal in branch",
        sensitivity="restricted", section="agent-handbook",
    ),
    # --- accounts and branches -----------------------------------------------
    _p(
        "branch-leeds", "accounts", "branch_info",
        """Our Leeds branch is at 14 Park Row and is managed by Priya Raman. It is open Monday
        to Friday from 9:00 to 17:00 and on Saturdays from 9:00 to 13:00. The branch has two
        cash machines that take deposits, and you can call it directly on 0113 496 0213.""",
        "find the opening hours of the Leeds branch",
        product="branches",
    ),
    _p(
        "branch-bristol", "accounts", "branch_info",
        """The Bristol branch at 27 Broadmead is open Monday to Friday from 9:30 to 16:30 and is
        closed on Saturdays. Branch manager Tomasz Nowak and his team hold mortgage appointments
        every Thursday. For a Saturday appointment, customers in Bristol can use video banking
        instead.""",
        "visit the Bristol branch on a Saturday",
        product="branches",
    ),
    _p(
        "branch-manchester", "accounts", "branch_info",
        """Our Manchester branch is at 41 King Street, managed by Grace Okafor. It opens Monday
        to Friday from 9:00 to 17:00 and on Saturdays from 10:00 to 14:00. It is one of three
        branches with a dedicated business banking desk.""",
        "find the Manchester branch",
        product="branches",
    ),
    _p(
        "branch-edinburgh", "accounts", "branch_info",
        """The Edinburgh branch is at 88 George Street and is run by branch manager Daniel
        Brooks. Opening hours are Monday to Friday, 9:00 to 16:30. The Edinburgh branch
        exchanges Scottish banknotes and can order foreign currency for collection the next
        working day.""",
        "order foreign currency in Edinburgh",
        product="branches",
    ),
    _p(
        "branch-cardiff", "accounts", "branch_info",
        """Our Cardiff branch at 9 Queen Street, managed by Helen Marsh, offers services in Welsh
        and English. It is open Monday to Friday from 9:00 to 17:00 and on Saturdays from 9:30
        to 12:30. Call the branch on 029 2018 0447 to book an appointment in Welsh.""",
        "get help in Welsh at a branch",
        product="branches",
    ),
    _p(
        "branch-london", "accounts", "branch_info",
        """Our flagship London branch at 120 Moorgate is open seven days a week: Monday to Friday
        from 8:00 to 18:00 and weekends from 10:00 to 16:00. The branch manager is Oliver Grant.
        It has a business banking desk and a safe deposit box service for existing
        customers.""",
        "find a branch open on Sunday",
        product="branches",
    ),
    _p(
        "account-open", "accounts", "account_open",
        """You can open a Northwind Classic current account in Northwind Mobile in about 10
        minutes if you are 16 or over and live in the UK. You will need a passport or UK driving
        licence and will be asked to record a short selfie video. Your Visa debit card arrives
        within 5 working days, and you can start using Apple Pay or Google Pay straight
        away.""",
        "open a current account",
        product="classic-account",
    ),
    _p(
        "account-overdraft", "accounts", "account_overdraft",
        """An arranged overdraft on a Northwind Classic account has an interest rate of 39.9% EAR
        variable. The first £50 of your overdraft is interest-free. You can apply for, change or
        remove an overdraft in Northwind Mobile; there are no fees for unarranged overdrafts,
        because payments that would take you over your limit are declined.""",
        "apply for an overdraft",
        product="classic-account",
    ),
    _p(
        "account-switch", "accounts", "account_switch",
        """The Current Account Switch Service moves your balance, salary, Direct Debits and
        standing orders to Northwind in 7 working days. Payments sent to your old account are
        redirected automatically for 3 years. Switch to a Northwind Classic account in the app
        and you will receive £150 once two Direct Debits have moved.""",
        "switch my current account to Northwind",
        product="classic-account",
    ),
    _p(
        "complaints", "accounts", "complaints",
        """If you are unhappy with our service, tell us in the app, by phone on 0113 496 0000 or
        in any branch. We aim to resolve complaints within 3 working days and will always send a
        final response within 8 weeks. If you are not satisfied with our answer, you can refer
        your complaint to the Financial Ombudsman Service free of charge.""",
        "make a complaint",
    ),
    _p(
        "contact-us", "accounts", "contact_us",
        """Our phone banking team is available on 0113 496 0000, Monday to Saturday from 8:00 to
        20:00. If you are calling from abroad, use +44 113 496 0000. Lost or stolen cards and
        suspected fraud can be reported at any time, 24 hours a day, on the numbers shown in
        Northwind Mobile under Help.""",
        "call Northwind customer service",
    ),
    _p(
        "post-office", "accounts", "cash_deposit",
        """You can pay cash into your Northwind account at any Post Office counter using your
        debit card, up to £1,000 a day. Cash deposited before 16:00 usually reaches your account
        on the same working day. You can also withdraw up to £300 a day at a Post Office with
        your card and PIN.""",
        "pay cash in at the Post Office",
    ),
    _p(
        "bereavement", "accounts", "bereavement",
        """If someone has died, our bereavement team can help you tell us and deal with their
        accounts. Call 0113 496 0622, Monday to Friday from 9:00 to 17:00, or visit a branch
        with the death certificate. We freeze the accounts to protect them and can pay funeral
        costs directly from them.""",
        "tell the bank that someone has died",
    ),
    _p(
        "account-close", "accounts", "account_close",
        """To close a Northwind current account, first move any regular payments and your salary
        to your new account, then request closure in Northwind Mobile under Profile > Close
        account. Any remaining balance is sent to the account you choose within 2 working days.
        If you are switching banks, the Current Account Switch Service closes the account for
        you.""",
        "close my current account",
        product="classic-account",
    ),
    _p(
        "agent-verification", "accounts", "agent_verification",
        """Agent guideline: before discussing an account on the phone, complete identity and
        verification. Level 1 is a security code sent to the customer's registered mobile; level
        2 adds two knowledge questions, such as a recent payment amount. Never ask for the
        customer's full PIN or online banking password.""",
        "verify a caller's identity",
        sensitivity="internal", section="agent-handbook",
    ),
    _p(
        "agent-complaints", "accounts", "agent_complaints",
        """Agent guideline: log every expression of dissatisfaction as a complaint in CaseDesk,
        even if it is resolved on the call. Complaints resolved within 3 working days receive a
        summary resolution communication by email. Complaints that are open for more than 5
        working days are passed to the Customer Relations team in Leeds.""",
        "log a customer complaint as an agent",
        sensitivity="internal", section="agent-handbook",
    ),
    _p(
        "agent-card-replacement", "cards", "agent_card_orders",
        """Agent guideline: replacement cards ordered by phone go to the registered address only.
        If the customer asks for delivery to a branch, order it to the branch they name and note
        the branch code in CaseDesk; the customer collects it with photo ID within 30 days.
        Never order a card to an address changed in the last 14 days without a supervisor's
        approval.""",
        "order a replacement card for a caller",
        sensitivity="internal", section="agent-handbook",
    ),
)

#: kb_v2 (2026.11): facts that changed since 2026.10, as exact replacements.
REVISIONS_V2: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("transfer-international", (("costs £15", "costs £12"), ("before 15:30", "before 16:00"))),
    ("easy-saver", (("pays 3.10% AER variable", "pays 2.90% AER variable"),)),
    ("credit-fees", (("late payment fee of £12", "late payment fee of £10"),)),
    ("app-install", (("iOS 16 or", "iOS 17 or"), ("Android 10 or", "Android 11 or"))),
    (
        "mortgage-rates",
        (
            ("is 4.39%", "is 4.09%"),
            ("4.19% at", "3.99% at"),
            ("currently 7.24%", "currently 6.99%"),
        ),
    ),
    (
        "branch-bristol",
        (
            ("and is closed on Saturdays", "and on Saturdays from 9:00 to 12:00"),
            ("Tomasz Nowak and his team", "Aisha Khan and her team"),
            (
                "For a Saturday appointment, customers in Bristol can use video banking instead.",
                "Customers in Bristol can also book video banking appointments in the evening.",
            ),
        ),
    ),
    ("transfer-chaps", (("costs £25", "costs £20"),)),
    ("regular-saver", (("pays 5.50% AER", "pays 5.25% AER"),)),
    ("card-cash-limit", (("limit is £500 for", "limit is £600 for"),)),
    ("branch-leeds", (("from 9:00 to 13:00", "from 9:00 to 12:30"),)),
)

#: kb_v2 (2026.11): passages that are new in this version.
NEW_PASSAGES_V2: tuple[Passage, ...] = (
    _p(
        "branch-sheffield", "accounts", "branch_info",
        """Our new Sheffield branch opened on 2 November 2026 at 5 Fargate. It is managed by Ruth
        Adeyemi and is open Monday to Friday from 9:00 to 17:00 and on Saturdays from 9:00 to
        13:00. A mortgage adviser is on site every Wednesday.""",
        "find the new Sheffield branch",
        product="branches",
    ),
    _p(
        "premier-account", "accounts", "account_premier",
        """The Northwind Premier current account is for customers who pay in at least £5,000 a
        month. It comes with a Northwind Premier Debit Visa card, worldwide family travel
        insurance and no fees on card spending abroad. The account costs £15 a month, which is
        waived if you hold savings of £50,000 or more with us.""",
        "upgrade to a Premier account",
        product="premier-account",
    ),
    _p(
        "open-banking", "mobile_app", "open_banking",
        """You can add accounts you hold with other banks to Northwind Mobile and see all your
        balances in one place. Connections use open banking and are read-only: we can see
        balances and transactions but cannot move money. Each connection must be renewed every
        90 days in the app.""",
        "see my other bank accounts in the app",
    ),
    _p(
        "credit-flex", "cards", "credit_card_instalments",
        """Northwind Flex lets Platinum Credit cardholders split a purchase of £100 or more into
        3, 6 or 12 monthly instalments. A fixed monthly fee of 0.9% of the original amount
        applies to 6 and 12 month plans; 3 month plans are free. Choose Flex on the transaction
        in Northwind Mobile within 30 days of the purchase.""",
        "spread the cost of a purchase on my credit card",
        product="platinum-credit",
    ),
    _p(
        "card-wearables", "cards", "mobile_wallet",
        """Northwind debit and credit cards now work with Garmin Pay and Fitbit Pay as well as
        Apple Pay and Google Pay. Add your card from the watch's companion app and confirm it
        with a security code from Northwind Mobile. Payments from a watch follow the same limits
        as payments from a phone.""",
        "pay with my smartwatch",
    ),
    _p(
        "fraud-crypto-limits", "fraud", "fraud_crypto_limits",
        """To protect customers from scams, payments to cryptocurrency exchanges are limited to
        £1,000 per transaction and £5,000 in any 30 days. Payments to some exchanges that we
        consider high risk are blocked. You can see the current list of blocked exchanges in
        Northwind Mobile under Help > Scams.""",
        "buy cryptocurrency with my account",
    ),
    _p(
        "green-mortgage", "mortgages", "mortgage_green",
        """The Northwind Green Mortgage takes 0.20% off our 5-Year Fixed rate for homes with an
        energy performance rating of A or B. Existing customers can also borrow up to £15,000
        extra at the same rate to pay for energy-saving improvements such as solar panels or
        heat pumps.""",
        "get a cheaper mortgage for an energy-efficient home",
        product="green-mortgage",
    ),
    _p(
        "teen-account", "accounts", "account_teen",
        """The Northwind Teen account is for 11 to 15 year olds and comes with a Visa debit card
        that a parent can control from their own Northwind Mobile app. Parents can set spending
        limits, block categories such as gambling and see every payment. There are no monthly
        fees, and cash withdrawals are limited to £50 a day.""",
        "open an account for my teenager",
        product="teen-account",
    ),
    _p(
        "voice-id", "accounts", "voice_id",
        """Voice ID lets you confirm your identity on the phone by saying a short phrase, instead
        of answering security questions. You can register for Voice ID during a call to
        0113 496 0000. Your voiceprint is stored securely and you can ask us to delete it at any
        time.""",
        "use my voice to confirm who I am on the phone",
    ),
    _p(
        "fraud-check-payee", "fraud", "fraud_payee_check",
        """Before you pay someone you do not know, use Check a Payee in Northwind Mobile. It
        compares the account details against scam reports shared by UK banks and tells you
        whether the account has been linked to fraud. The check is free and takes a few
        seconds.""",
        "check a payee before paying them",
    ),
    _p(
        "cash-isa-flexible", "savings", "savings_isa",
        """From November 2026 the Northwind Cash ISA is flexible: you can take money out and put
        it back in the same tax year without it counting again towards your £20,000 allowance.
        Withdrawals reach your current account within 2 hours.""",
        "put money back into my ISA after a withdrawal",
        product="cash-isa",
    ),
    _p(
        "app-version-8", "mobile_app", "app_release",
        """Version 8 of Northwind Mobile, released in November 2026, adds a dark theme, a
        redesigned home screen and the ability to pay bills by scanning a QR code. The update
        was led by Elena Fischer, our Head of Mobile, after feedback from more than 4,000
        customers.""",
        "find out what is new in the app",
    ),
    _p(
        "fraud-agent-fr19", "fraud", "fraud_internal_rules",
        """Agent procedure from 2026.11: cryptocurrency payment blocks under rule FR-19 may only
        be lifted by the Fraud Operations team, not by front-line agents. Transfer the call to
        extension 4410 and add the note CRYPTO-REVIEW in CaseDesk. The team aims to decide
        within 4 hours.""",
        "handle a blocked crypto payment as an agent",
        sensitivity="restricted", section="agent-handbook",
    ),
    _p(
        "business-account", "accounts", "business_account",
        """Northwind Business Everyday is a current account for sole traders and small companies
        with a turnover under £2 million. Electronic payments are free, and cash deposits cost
        0.5% of the amount. Our business banking desks in London, Manchester and Leeds can help
        you open an account.""",
        "open a business account",
        product="business-everyday",
    ),
    _p(
        "travel-wallet", "transfers", "travel_wallet",
        """Northwind Travel Wallet lets you hold euros, US dollars and 8 other currencies inside
        Northwind Mobile. Exchange at the Northwind rate before you travel and spend with your
        Visa debit card without the 2.75% non-sterling transaction fee. You can hold up to
        £10,000 across all currencies.""",
        "hold foreign currency before a trip",
        product="travel-wallet",
    ),
)
# fmt: on


# =============================================================================
# The expert golden set (over kb_v1)
# =============================================================================


@dataclass(frozen=True)
class GoldenSpec:
    query: str
    answers_in: tuple[str, ...]  # passage keys that answer the query (grade 2)
    related: tuple[str, ...]  # passage keys that are related (grade 1)
    gold_answers: tuple[str, ...]  # alternatives, each found verbatim in an answering passage
    tags: tuple[str, ...]


def _g(query: str, answers_in: str, related: str, answers: Sequence[str], tags: str) -> GoldenSpec:
    return GoldenSpec(
        query,
        tuple(answers_in.split()),
        tuple(related.split()),
        tuple(answers),
        tuple(tags.split()),
    )


# fmt: off
GOLDEN: tuple[GoldenSpec, ...] = (
    _g("My wallet was pinched on the bus - what number do I ring to stop my card?",
       "card-lost", "fraud-report contact-us", ["0808 157 0142"], "cards lost-card phone"),
    _g("How much does it cost to wire money to a bank overseas?",
       "transfer-international", "transfer-sepa exchange-rates", ["£15"], "transfers fees"),
    _g("Do I pay extra when I use my Visa debit card to buy things in euros on holiday?",
       "card-abroad", "exchange-rates", ["2.75%"], "cards fees entity"),
    _g("What time does the Leeds branch shut on a Saturday?",
       "branch-leeds", "", ["13:00"], "branches entity place"),
    _g("Who runs the Bristol branch?",
       "branch-bristol", "", ["Tomasz Nowak"], "branches entity place"),
    _g("Which branch is Grace Okafor the manager of?",
       "branch-manchester", "mortgage-advisers", ["Manchester", "41 King Street"],
       "branches entity person"),
    _g("On which days can I see Samuel Reid about a home loan?",
       "mortgage-advisers", "branch-manchester mortgage-apply", ["Tuesdays and Saturdays"],
       "mortgages entity person"),
    _g("What interest rate do I get on the instant access Easy Saver?",
       "easy-saver", "savings-rate-change round-ups", ["3.10% AER variable", "3.10%"],
       "savings rates"),
    _g("What's the most I can spend with a single tap of my card?",
       "card-contactless", "card-wallets", ["£100"], "cards limits"),
    _g("How much cash can I get out of a machine in one day with the Classic Debit card?",
       "card-cash-limit", "post-office", ["£500"], "cards limits entity"),
    _g("What is the charge if my credit card repayment arrives after the due date?",
       "credit-fees", "credit-min-payment", ["£12"], "cards fees"),
    _g("What APR does the Platinum Mastercard have?",
       "credit-apr", "credit-apply credit-student", ["22.9% variable", "22.9%"],
       "cards rates entity"),
    _g("What salary do I need before I can get the Platinum credit card?",
       "credit-apply", "credit-apr", ["£15,000"], "cards eligibility"),
    _g("I paid the wrong sort code by mistake. How long until you update me on getting it back?",
       "transfer-wrong-account", "transfer-new-payee", ["20 working days"], "transfers"),
    _g("Which button puts my Northwind card into Apple Wallet?",
       "card-wallets", "card-contactless account-open", ["Add to Apple Wallet"],
       "cards app entity"),
    _g("I got a text asking if a card purchase was mine. How should I answer it?",
       "fraud-security-check", "card-declined", ["Y if it was you or N if it was not"],
       "fraud"),
    _g("Where should I send an email that pretends to come from the bank?",
       "fraud-phishing", "fraud-report", ["phishing@northwind.example"], "fraud"),
    _g("A fraudster talked me into transferring money. Will I be reimbursed?",
       "fraud-app-scam", "fraud-safe-account fraud-report", ["up to £85,000", "£85,000"],
       "fraud refunds"),
    _g("Someone claiming to be from my bank wants me to move my savings somewhere safe.",
       "fraud-safe-account", "fraud-app-scam", ["hang up"], "fraud"),
    _g("Which documents does a full home loan application need?",
       "mortgage-apply", "mortgage-first-home mortgage-advisers",
       ["your last 3 months of payslips, 3 months of bank statements and photo ID",
        "3 months of payslips"],
       "mortgages documents"),
    _g("What's the smallest deposit I need to buy my first flat?",
       "mortgage-first-home", "mortgage-apply", ["5%"], "mortgages"),
    _g("Current rate on the five year fixed mortgage?",
       "mortgage-rates", "mortgage-erc mortgage-new-deal", ["4.19%"], "mortgages rates"),
    _g("How much extra can I pay off my mortgage every year without a penalty?",
       "mortgage-overpay", "mortgage-erc", ["10%"], "mortgages"),
    _g("What does it cost to leave a two year fix during the first year?",
       "mortgage-erc", "mortgage-overpay mortgage-rates", ["3%"], "mortgages fees"),
    _g("I'm behind on my home loan payments - who can I speak to?",
       "mortgage-difficulty", "contact-us", ["0113 496 0811"], "mortgages phone"),
    _g("Minimum amount to open a fixed term savings account?",
       "fixed-saver", "easy-saver", ["£1,000"], "savings limits"),
    _g("How much can I put into ISAs this tax year?",
       "cash-isa", "savings-tax", ["£20,000"], "savings limits"),
    _g("What rate does the monthly Regular Saver pay?",
       "regular-saver", "easy-saver", ["5.50% AER fixed", "5.50%"], "savings rates"),
    _g("How much savings interest can I earn before paying tax?",
       "savings-tax", "cash-isa", ["£1,000"], "savings tax"),
    _g("The app is locked because I typed the wrong code too many times, what now?",
       "app-locked", "app-biometrics", ["Forgotten passcode"], "app"),
    _g("Which iPhone software version does the Northwind app need?",
       "app-install", "app-new-phone", ["iOS 16 or later", "iOS 16"], "app entity"),
    _g("What is the largest cheque I can pay in by photo?",
       "app-cheques", "", ["£2,000"], "app limits"),
    _g("Is online banking unavailable in the early hours of Sunday?",
       "app-maintenance", "online-banking", ["between 01:00 and 04:00"], "app"),
    _g("What BIC do I give someone sending me money from another country?",
       "receive-international", "transfer-international", ["NWBKGB2L"], "transfers"),
    _g("What does it cost to send euros to a friend in Spain?",
       "transfer-sepa", "transfer-international", ["£2"], "transfers fees entity place"),
    _g("What's the fee for a same-day high-value payment to complete a house purchase?",
       "transfer-chaps", "transfer-limits", ["£25"], "transfers fees"),
    _g("Is there a branch in Cardiff where staff speak Welsh?",
       "branch-cardiff", "app-accessibility", ["9 Queen Street"], "branches entity place"),
    _g("Where in Scotland can I pick up foreign currency from Northwind?",
       "branch-edinburgh", "", ["88 George Street", "Edinburgh"], "branches entity place"),
    _g("Which Northwind branch in London opens at the weekend?",
       "branch-london", "", ["120 Moorgate"], "branches entity place"),
    _g("What interest is charged on an arranged overdraft?",
       "account-overdraft", "", ["39.9% EAR variable", "39.9%"], "accounts rates"),
    _g("How long does the bank have to answer my complaint?",
       "complaints", "agent-complaints", ["8 weeks"], "accounts"),
    _g("What's the daily limit for paying in cash at the Post Office?",
       "post-office", "", ["£1,000"], "accounts limits entity"),
    _g("How long do I have to dispute a Mastercard transaction?",
       "card-dispute", "card-declined", ["120 days"], "cards entity"),
    _g("If I switch off the gambling block, when does it stop working?",
       "card-gambling-block", "", ["48-hour cooling-off period", "48-hour"], "cards"),
    _g("Who do fraud agents escalate big APP scam claims to?",
       "fraud-agent-app-case", "fraud-app-scam", ["Marcus Bell"],
       "fraud restricted entity person"),
)
# fmt: on


# =============================================================================
# Gazetteer: the bank's own entities and products, with aliases
# =============================================================================

# fmt: off
GAZETTEER: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # slug, entity type, preferred label, alternative labels
    ("northwind-bank", "ORG", "Northwind Bank", ("NWB", "Northwind", "Northwind Bank plc")),
    ("northwind-mobile", "PRODUCT", "Northwind Mobile",
     ("Northwind Mobile app", "the Northwind app", "Northwind app", "NW Mobile")),
    ("classic-debit", "PRODUCT", "Northwind Classic Debit",
     ("Classic Debit", "Classic Debit card", "Classic debit card")),
    ("premier-debit", "PRODUCT", "Northwind Premier Debit",
     ("Premier Debit", "Premier Debit card")),
    ("platinum-credit", "PRODUCT", "Northwind Platinum Credit",
     ("Platinum Credit", "Platinum Credit card", "Platinum Mastercard", "Platinum card")),
    ("student-credit", "PRODUCT", "Northwind Student Credit",
     ("Student Credit", "Student Credit card")),
    ("classic-account", "PRODUCT", "Northwind Classic current account",
     ("Northwind Classic", "Classic account", "Classic current account")),
    ("premier-account", "PRODUCT", "Northwind Premier current account",
     ("Northwind Premier", "Premier account")),
    ("teen-account", "PRODUCT", "Northwind Teen account", ("Northwind Teen", "Teen account")),
    ("business-everyday", "PRODUCT", "Northwind Business Everyday", ("Business Everyday",)),
    ("easy-saver", "PRODUCT", "Northwind Easy Saver", ("Easy Saver",)),
    ("fixed-saver", "PRODUCT", "Fixed Saver", ("1-Year Fixed Saver", "2-Year Fixed Saver")),
    ("cash-isa", "PRODUCT", "Northwind Cash ISA", ("Cash ISA",)),
    ("regular-saver", "PRODUCT", "Northwind Regular Saver", ("Regular Saver",)),
    ("junior-saver", "PRODUCT", "Northwind Junior Saver", ("Junior Saver",)),
    ("notice-saver", "PRODUCT", "95-Day Notice Saver", ("Notice Saver",)),
    ("home-mortgage", "PRODUCT", "Northwind Home Mortgage", ("Home Mortgage",)),
    ("green-mortgage", "PRODUCT", "Northwind Green Mortgage", ("Green Mortgage",)),
    ("buy-to-let", "PRODUCT", "Northwind Buy to Let", ("Buy to Let", "Buy to Let mortgage")),
    ("flex", "PRODUCT", "Northwind Flex", ("Flex instalments",)),
    ("travel-wallet", "PRODUCT", "Northwind Travel Wallet", ("Travel Wallet",)),
    ("pay-a-contact", "PRODUCT", "Pay a Contact", ()),
    ("spending-insights", "PRODUCT", "Spending Insights", ("Insights",)),
    ("check-a-payee", "PRODUCT", "Check a Payee", ()),
    ("casedesk", "PRODUCT", "CaseDesk", ("Case Desk",)),
    ("visa", "ORG", "Visa", ("VISA", "Visa Inc.")),
    ("visa-secure", "PRODUCT", "Visa Secure", ()),
    ("mastercard", "ORG", "Mastercard", ("MasterCard",)),
    ("mastercard-identity-check", "PRODUCT", "Mastercard Identity Check", ()),
    ("apple-pay", "PRODUCT", "Apple Pay", ("Apple Wallet",)),
    ("google-pay", "PRODUCT", "Google Pay", ()),
    ("garmin-pay", "PRODUCT", "Garmin Pay", ()),
    ("fitbit-pay", "PRODUCT", "Fitbit Pay", ()),
    ("post-office", "ORG", "Post Office", ("the Post Office",)),
    ("financial-ombudsman", "ORG", "Financial Ombudsman Service", ("the ombudsman",)),
    ("greystone-surveyors", "ORG", "Greystone Surveyors", ("Greystone",)),
    ("fraud-operations", "ORG", "Fraud Operations team", ("Fraud Operations",)),
    ("financial-crime-unit", "ORG", "Financial Crime Unit", ("FCU",)),
    ("customer-relations", "ORG", "Customer Relations team", ("Customer Relations",)),
    ("priya-raman", "PERSON", "Priya Raman", ("Ms Raman",)),
    ("tomasz-nowak", "PERSON", "Tomasz Nowak", ("Mr Nowak",)),
    ("aisha-khan", "PERSON", "Aisha Khan", ("Ms Khan",)),
    ("grace-okafor", "PERSON", "Grace Okafor", ("Ms Okafor",)),
    ("daniel-brooks", "PERSON", "Daniel Brooks", ("Mr Brooks",)),
    ("helen-marsh", "PERSON", "Helen Marsh", ("Ms Marsh",)),
    ("oliver-grant", "PERSON", "Oliver Grant", ("Mr Grant",)),
    ("ruth-adeyemi", "PERSON", "Ruth Adeyemi", ("Ms Adeyemi",)),
    ("samuel-reid", "PERSON", "Samuel Reid", ("Mr Reid",)),
    ("marcus-bell", "PERSON", "Marcus Bell", ("Mr Bell",)),
    ("nadia-haddad", "PERSON", "Nadia Haddad", ("Ms Haddad",)),
    ("elena-fischer", "PERSON", "Elena Fischer", ("Ms Fischer",)),
)
# fmt: on


# =============================================================================
# Paraphrase engine (generator "nw-paraphraser")
# =============================================================================

#: phrase -> alternatives; applied in one left-to-right pass, so a replacement is never
#: rewritten again.
PARAPHRASE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"Northwind Bank", ("Northwind", "NWB")),
    (r"Northwind Mobile(?! app)", ("the Northwind app", "the Northwind Mobile app")),
    (r"working days", ("business days",)),
    (r"working day", ("business day",)),
    (r"straight away", ("immediately", "right away", "at once")),
    (r"immediately", ("straight away", "right away", "at once")),
    (r"free of charge", ("at no cost", "for free")),
    (r"[Yy]ou can", ("you are able to", "it is possible to")),
    (r"[Yy]ou must", ("you need to", "you have to")),
    (r"customers", ("clients", "account holders")),
    (r"for instance", ("for example",)),
    (r"such as", ("like", "for example")),
    (r"contact us", ("get in touch with us", "reach us")),
    (r"[Cc]all (?=us|our|the|0|\+)", ("phone ", "ring ")),
    (r"book(?= an| any)", ("arrange",)),
    (r"offers", ("provides",)),
    (r"[Ii]t is open", ("it opens",)),
    (r"within", ("in", "inside")),
    (r"usually", ("normally", "typically", "generally")),
    (r"normally", ("usually", "typically")),
    (r"at any time", ("whenever you like", "at any point")),
    (r"receive", ("get",)),
    (r"[Cc]hoose", ("pick", "select")),
    (r"tap(?=ping)?", ("press",)),
    (r"as often as you like", ("whenever you want", "as many times as you like")),
    (r"more than", ("over",)),
    (r"at least", ("a minimum of", "no less than")),
    (r"up to", ("as much as",)),
    (r"apply for", ("request",)),
    (r"money(?! mule)", ("funds",)),
    (r"shows", ("displays",)),
    (r"quickly", ("fast",)),
)
_RULE_RE = re.compile(
    "|".join(f"(?P<r{i}>\\b{pat}\\b)" for i, (pat, _) in enumerate(PARAPHRASE_RULES))
)

CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("we will not", "we won't"),
    ("you will not", "you won't"),
    ("do not", "don't"),
    ("does not", "doesn't"),
    ("cannot", "can't"),
    ("you will", "you'll"),
    ("we will", "we'll"),
    ("you are", "you're"),
    ("is not", "isn't"),
    ("it is", "it's"),
)
_CONTRACTION_RE = re.compile(
    "|".join(f"\\b{full}\\b" for full, _ in CONTRACTIONS), flags=re.IGNORECASE
)

OPENERS = {
    "2": ("Good to know. ", "Here is the short version. "),
    "3": (
        "Good to know. ",
        "Here is the short version. ",
        "Happy to help! ",
        "Thanks for asking. ",
    ),
}
CLOSERS = {
    "2": (),
    "3": (" Let us know if you need anything else.", " We are here to help if you get stuck."),
}

#: generator configuration per (prompt_template, prompt_version): the recorded params
PARAPHRASE_PARAMS: dict[tuple[str, str], dict[str, Any]] = {
    ("paraphrase-plain", "2"): {"temperature": 0.7},
    ("paraphrase-plain", "3"): {"temperature": 0.9},
    ("paraphrase-friendly", "2"): {"temperature": 0.7, "contractions": True},
    ("paraphrase-friendly", "3"): {"temperature": 0.9, "contractions": True, "closer": True},
    ("paraphrase-brief", "2"): {"temperature": 0.7, "max_sentences": 2, "keep": "leading"},
    ("paraphrase-brief", "3"): {"temperature": 0.9, "max_sentences": 3, "keep": "facts"},
}
PARAPHRASE_TEMPLATES = ("paraphrase-plain", "paraphrase-friendly", "paraphrase-brief")
PARAPHRASE_WEIGHTS = (0.4, 0.35, 0.25)

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9+])")
_FACT_RE = re.compile(r"[0-9£%]")


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_RE.split(text.strip()) if s]


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?"


def _match_case(text: str, m: re.Match[str], replacement: str) -> str:
    """Capitalise a replacement at the start of a sentence, lower-case it elsewhere."""
    if _sentence_start(text, m.start()):
        return replacement[:1].upper() + replacement[1:]
    return replacement


def substitute(text: str, rng: random.Random, rate: float) -> str:
    """Replace rule phrases, each match with probability ``rate``, in one pass."""

    def repl(m: re.Match[str]) -> str:
        if rng.random() >= rate:
            return m.group(0)
        idx = int(m.lastgroup[1:]) if m.lastgroup else 0
        return _match_case(text, m, rng.choice(PARAPHRASE_RULES[idx][1]))

    return _RULE_RE.sub(repl, text)


def contract(text: str) -> str:
    table = {full: short for full, short in CONTRACTIONS}

    def repl(m: re.Match[str]) -> str:
        return _match_case(text, m, table[m.group(0).lower()])

    return _CONTRACTION_RE.sub(repl, text)


def paraphrase(
    text: str, template: str, version: str, rng: random.Random, boost: float = 0.0
) -> str:
    """One paraphrase of ``text`` by the template engine (deterministic given ``rng``).

    ``boost`` raises the substitution rate (used on retries when a paraphrase came out
    identical to its source or to a sibling).
    """
    params = PARAPHRASE_PARAMS[(template, version)]
    rate = min(1.0, 0.8 * float(params["temperature"]) + boost)
    sentences = split_sentences(text)
    if template == "paraphrase-brief" and len(sentences) > 2:
        limit = int(params["max_sentences"])
        if params["keep"] == "facts":
            keep = [0] + [i for i, s in enumerate(sentences) if i and _FACT_RE.search(s)]
            sentences = [sentences[i] for i in sorted(keep)[:limit]]
        else:
            sentences = sentences[:limit]
    out = substitute(" ".join(sentences), rng, rate)
    if params.get("contractions"):
        out = contract(out)
    if template == "paraphrase-friendly":
        out = rng.choice(OPENERS[version]) + out
        if params.get("closer"):
            out += rng.choice(CLOSERS[version])
    return out


# =============================================================================
# Question engine (generator "nw-question-gen")
# =============================================================================

QUESTION_TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("user-question-howto", "2"): ("How do I {vp}?", "How can I {vp}?"),
    ("user-question-howto", "3"): (
        "How do I {vp}?",
        "How can I {vp}?",
        "What are the steps to {vp}?",
        "What's the quickest way to {vp}?",
    ),
    ("user-question-casual", "2"): ("how do i {vp}", "need to {vp}, what do I do?"),
    ("user-question-casual", "3"): (
        "how do i {vp}",
        "need to {vp}, what do I do?",
        "hi, trying to {vp} - any help?",
        "quick q: how would I {vp}?",
    ),
    ("user-question-polite", "2"): (
        "Hello, could you tell me how to {vp}?",
        "Could you please explain how I can {vp}?",
    ),
    ("user-question-polite", "3"): (
        "Hello, could you tell me how to {vp}?",
        "Could you please explain how I can {vp}?",
        "Good morning. I would like to {vp}. What should I do?",
        "Hi there, I bank with Northwind and I'd like to {vp}. Can you help?",
    ),
}
QUESTION_PARAMS: dict[tuple[str, str], dict[str, Any]] = {
    ("user-question-howto", "2"): {"temperature": 0.6},
    ("user-question-howto", "3"): {"temperature": 0.8},
    ("user-question-casual", "2"): {"temperature": 0.6, "typo_rate": 0.03},
    ("user-question-casual", "3"): {"temperature": 0.8, "typo_rate": 0.05},
    ("user-question-polite", "2"): {"temperature": 0.6},
    ("user-question-polite", "3"): {"temperature": 0.8},
}
QUESTION_KINDS = ("user-question-howto", "user-question-casual", "user-question-polite")
QUESTION_WEIGHTS = (0.45, 0.3, 0.25)
_PROPER = re.compile(
    r"\b(?:Northwind|Visa|Mastercard|Apple|Google|ISA|PIN|UK|Post|Office|"
    r"Leeds|Bristol|Manchester|Edinburgh|Cardiff|London|Sunday|Saturday|"
    r"Platinum|Direct|Debit|Welsh|APP)\b"
)


def add_typos(text: str, rng: random.Random, rate: float) -> str:
    """Swap two inner letters of some longer words (the kind of slip people make)."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 5 and word.isalpha() and not _PROPER.fullmatch(word) and rng.random() < rate:
            j = rng.randrange(1, len(word) - 2)
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def make_question(vp: str, template: str, version: str, rng: random.Random) -> str:
    pattern = rng.choice(QUESTION_TEMPLATES[(template, version)])
    text = pattern.format(vp=vp)
    typo_rate = float(QUESTION_PARAMS[(template, version)].get("typo_rate", 0.0))
    if template == "user-question-casual":
        text = add_typos(text, rng, typo_rate)
    return text


# =============================================================================
# Software annotator "intent-heuristic": keyword rules, the most specific match wins
# =============================================================================

HEURISTIC_RULES: tuple[tuple[str, str], ...] = (
    (r"lost|stolen|pinched", "card_lost"),
    (r"activate", "card_activation"),
    (r"\bpin\b", "card_pin"),
    (r"contactless", "card_contactless"),
    (r"cash withdrawal limit|withdrawal limit", "card_cash_limit"),
    (r"abroad|overseas", "card_abroad_fees"),
    (r"declined", "card_declined"),
    (r"damaged|replace", "card_replacement"),
    (r"not arrived", "card_delivery"),
    (r"credit card", "credit_card_apply"),
    (r"interest rate", "credit_card_rates"),
    (r"minimum payment", "credit_card_payment"),
    (r"\blate\b", "credit_card_fees"),
    (r"credit limit", "credit_limit_increase"),
    (r"apple pay|google pay", "mobile_wallet"),
    (r"virtual card", "virtual_card"),
    (r"dispute|money back", "card_dispute"),
    (r"gambling", "gambling_block"),
    (r"subscription", "card_recurring_payments"),
    (r"download|register", "app_install"),
    (r"passcode|log back in", "app_login"),
    (r"fingerprint|face id", "app_biometrics"),
    (r"new phone", "app_new_device"),
    (r"alerts?", "app_notifications"),
    (r"statement", "statements"),
    (r"cheque", "cheque_deposit"),
    (r"budget", "budgeting_tools"),
    (r"app is down", "app_outage"),
    (r"braille|large print", "accessibility"),
    (r"address", "change_details"),
    (r"\bpot\b", "savings_pots"),
    (r"security code", "security_code"),
    (r"online banking", "online_banking"),
    (r"uk bank|uk transfer", "transfer_uk"),
    (r"transfer limit", "transfer_limits"),
    (r"payee", "new_payee"),
    (r"euros", "transfer_sepa"),
    (r"exchange rate", "exchange_rates"),
    (r"standing order", "standing_orders"),
    (r"direct debit", "direct_debits"),
    (r"wrong account", "transfer_wrong_recipient"),
    (r"same-day|house purchase", "transfer_chaps"),
    (r"receive money from abroad", "receive_international"),
    (r"schedule", "scheduled_payments"),
    (r"phone number", "pay_contact"),
    (r"pending", "transfer_pending"),
    (r"easy access", "savings_easy_access"),
    (r"fixed rate", "savings_fixed"),
    (r"\bisa\b", "savings_isa"),
    (r"every month", "savings_regular"),
    (r"child", "savings_children"),
    (r"notice", "savings_notice"),
    (r"spare change", "round_ups"),
    (r"savings rate", "savings_rate_change"),
    (r"close my savings", "savings_close"),
    (r"joint", "savings_joint"),
    (r"\btax\b", "savings_tax"),
    (r"mortgage|agreement in principle", "mortgage_apply"),
    (r"first home|small deposit", "mortgage_first_time_buyer"),
    (r"mortgage rates", "mortgage_rates"),
    (r"pay off my mortgage early|overpay", "mortgage_overpayment"),
    (r"penalty", "mortgage_early_repayment"),
    (r"new mortgage deal", "mortgage_product_transfer"),
    (r"can't pay my mortgage", "mortgage_difficulty"),
    (r"mortgage adviser", "mortgage_appointment"),
    (r"survey", "mortgage_valuation"),
    (r"move house", "mortgage_porting"),
    (r"buy to let", "mortgage_buy_to_let"),
    (r"redemption", "mortgage_statement"),
    (r"fraudulent", "fraud_report"),
    (r"suspicious email", "fraud_phishing"),
    (r"scam", "fraud_app_scam"),
    (r"move my money", "fraud_safe_account"),
    (r"confirm a payment", "fraud_security_check"),
    (r"identity theft", "fraud_identity_theft"),
    (r"investment", "fraud_investment_scam"),
    (r"approve an online payment", "fraud_online_verification"),
    (r"romance", "fraud_romance_scam"),
    (r"branch", "branch_info"),
    (r"current account", "account_open"),
    (r"overdraft", "account_overdraft"),
    (r"switch my current account", "account_switch"),
    (r"complaint", "complaints"),
    (r"customer service", "contact_us"),
    (r"post office", "cash_deposit"),
    (r"died", "bereavement"),
    (r"close my current account", "account_close"),
)
_HEURISTIC = tuple((re.compile(p, re.IGNORECASE), intent) for p, intent in HEURISTIC_RULES)


def heuristic_intent(text: str) -> tuple[str, float] | None:
    """(intent, confidence) of the keyword heuristic, or None when no rule fires."""
    best: tuple[int, int, str] | None = None  # (matched chars, -rule index, intent)
    for idx, (pattern, intent) in enumerate(_HEURISTIC):
        m = pattern.search(text)
        if m and (best is None or (len(m.group(0)), -idx) > best[:2]):
            best = (len(m.group(0)), -idx, intent)
    if best is None:
        return None
    return best[2], round(min(0.95, 0.5 + best[0] / 40), 2)


# =============================================================================
# Building the records
# =============================================================================


def _rng(seed: int, *parts: object) -> random.Random:
    """One generator per decision: stable whatever else changes in the run."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _at(day: datetime, rng: random.Random) -> datetime:
    """A working-hours time on ``day`` (09:00-17:59, whole minutes)."""
    return day.replace(hour=rng.randrange(9, 18), minute=rng.randrange(60), second=0)


def _day(start: tuple[int, int, int], span_days: int, rng: random.Random) -> datetime:
    return datetime(*start, tzinfo=UTC) + timedelta(days=rng.randrange(span_days))


def ext_id(n: int) -> str:
    return f"kb-{n:04d}"


@dataclass
class LabelPlan:
    """Who labels a sample, and which annotators (if any) deviate from the intended intent."""

    annotators: tuple[str, ...]
    deviations: dict[str, str] = field(default_factory=dict)
    topic_by: str | None = None


@dataclass
class Built:
    """Everything the writers and the README need."""

    v1: list[dict[str, Any]]
    v2: list[dict[str, Any]]
    golden: list[dict[str, Any]]
    bad: list[str]
    bad_count: int
    revised_keys: list[str]
    stats: dict[str, int]


def _labels(
    intent: str,
    topic: str,
    plan: LabelPlan,
    not_before: datetime,
    window_days: int,
    rng: random.Random,
) -> list[dict[str, Any]]:
    day = not_before + timedelta(days=1 + rng.randrange(window_days))
    out: list[dict[str, Any]] = []
    for ann in plan.annotators:
        when = _at(day + timedelta(days=rng.randrange(3)), rng)
        out.append(
            {
                "field": "intent",
                "value": plan.deviations.get(ann, intent),
                "annotator": ann,
                "annotator_kind": "human",
                "guideline_version": "1.1" if when < GUIDELINE_SWITCH else "1.2",
                "guideline": "nw-intent",
                "labeled_at": _ts(when),
            }
        )
    if plan.topic_by is not None:
        when = _at(day, rng)
        out.append(
            {
                "field": "topic",
                "value": topic,
                "annotator": plan.topic_by,
                "annotator_kind": "human",
                "guideline_version": "1.1" if when < GUIDELINE_SWITCH else "1.2",
                "guideline": "nw-topic",
                "labeled_at": _ts(when),
            }
        )
    return out


def _heuristic_label(text: str, when: datetime) -> list[dict[str, Any]]:
    hit = heuristic_intent(text)
    if hit is None:
        return []
    return [
        {
            "field": "intent",
            "value": hit[0],
            "annotator": HEURISTIC,
            "annotator_kind": "heuristic",
            "guideline_version": "1.2",
            "guideline": "nw-intent",
            "labeled_at": _ts(when),
            "confidence": hit[1],
        }
    ]


#: intents annotators plausibly mix up; other intents of the same topic otherwise
CONFUSABLE: dict[str, tuple[str, ...]] = {
    "card_lost": ("fraud_report", "card_replacement"),
    "card_replacement": ("card_delivery", "card_lost"),
    "card_delivery": ("card_replacement",),
    "card_declined": ("fraud_security_check", "card_pin"),
    "card_dispute": ("fraud_report", "card_recurring_payments"),
    "card_abroad_fees": ("exchange_rates",),
    "card_cash_limit": ("card_contactless", "cash_deposit"),
    "credit_card_apply": ("student_credit_card", "credit_limit_increase"),
    "credit_card_fees": ("credit_card_payment",),
    "credit_card_payment": ("credit_card_fees", "direct_debits"),
    "app_login": ("security_code", "app_biometrics"),
    "app_install": ("app_new_device",),
    "security_code": ("fraud_phishing", "app_login"),
    "transfer_international": ("transfer_sepa", "exchange_rates"),
    "transfer_sepa": ("transfer_international",),
    "receive_international": ("transfer_international",),
    "transfer_uk": ("transfer_pending", "transfer_limits"),
    "transfer_pending": ("transfer_uk",),
    "transfer_wrong_recipient": ("new_payee", "fraud_app_scam"),
    "standing_orders": ("direct_debits", "scheduled_payments"),
    "direct_debits": ("standing_orders",),
    "savings_fixed": ("savings_notice", "savings_regular"),
    "savings_notice": ("savings_fixed",),
    "savings_isa": ("savings_tax",),
    "savings_easy_access": ("savings_rate_change",),
    "mortgage_apply": ("mortgage_first_time_buyer", "mortgage_appointment"),
    "mortgage_rates": ("mortgage_product_transfer",),
    "mortgage_overpayment": ("mortgage_early_repayment",),
    "mortgage_early_repayment": ("mortgage_overpayment",),
    "fraud_app_scam": ("fraud_safe_account", "fraud_report"),
    "fraud_safe_account": ("fraud_app_scam",),
    "fraud_phishing": ("fraud_report",),
    "fraud_security_check": ("card_declined",),
    "branch_info": ("contact_us",),
    "complaints": ("contact_us",),
    "account_open": ("account_switch",),
}


def _plan_disagreements(
    seed: int, name: str, plans: dict[str, LabelPlan], intent_of: dict[str, str], share: float
) -> None:
    """Pick exactly round(share * n) labelled samples; one or two annotators deviate."""
    rng = _rng(seed, "disagree", name)
    ids = sorted(plans)
    chosen = rng.sample(ids, round(share * len(ids)))
    topics = _intents_by_topic()
    for sid in sorted(chosen):
        plan = plans[sid]
        intent = intent_of[sid]
        alternatives = list(CONFUSABLE.get(intent, ())) or [
            i for i in topics[_topic_of_intent(intent)] if i != intent
        ]
        weights = {"ann-1": 0.2, "ann-2": 0.3, "ann-3": 0.5}
        first = rng.choices(plan.annotators, [weights[a] for a in plan.annotators])[0]
        plan.deviations[first] = rng.choice(alternatives)
        others = [a for a in plan.annotators if a != first]
        if len(others) >= 2 and rng.random() < 0.25:
            second = rng.choice(others)
            plan.deviations[second] = rng.choice(
                [i for i in alternatives if i != plan.deviations[first]] or alternatives
            )


def _all_passages() -> tuple[Passage, ...]:
    return PASSAGES + NEW_PASSAGES_V2


def _intents_by_topic() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in _all_passages():
        if p.intent not in out.setdefault(p.topic, []):
            out[p.topic].append(p.intent)
    return out


def _topic_of_intent(intent: str) -> str:
    return next(p.topic for p in _all_passages() if p.intent == intent)


def _real_record(
    p: Passage, sid: str, version: str, updated: str, labels: list[dict[str, Any]]
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "topic": p.topic,
        "product": p.product or DEFAULT_PRODUCT[p.topic],
        "section": p.section,
        "updated": updated,
    }
    if p.section == "help-centre":
        metadata["url"] = f"{HELP_URL}/{p.topic.replace('_', '-')}/{p.key}"
    return {
        "id": sid,
        "text": p.text,
        "origin": "real",
        "dataset": DATASET,
        "version": version,
        "kind": "passage",
        "labels": labels,
        "sensitivity": p.sensitivity,
        "metadata": metadata,
    }


def _revise(p: Passage) -> Passage:
    for key, edits in REVISIONS_V2:
        if key == p.key:
            text = p.text
            for old, new in edits:
                if old not in text:
                    raise SystemExit(
                        f"revision of {key}: {old!r} not in its text; fix REVISIONS_V2"
                    )
                text = text.replace(old, new)
            return Passage(
                p.key, p.topic, p.intent, text, p.asks, p.sensitivity, p.section, p.product
            )
    return p


def _check_corpus() -> None:
    keys = [p.key for p in _all_passages()]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise SystemExit(f"duplicate passage keys: {dupes}")
    known = set(keys)
    for spec in GOLDEN:
        for k in spec.answers_in + spec.related:
            if k not in known:
                raise SystemExit(f"golden query {spec.query!r} names unknown passage {k!r}")
        answer_texts = " ".join(p.text for p in PASSAGES if p.key in spec.answers_in).lower()
        if not any(a.lower() in answer_texts for a in spec.gold_answers):
            raise SystemExit(f"golden query {spec.query!r}: no gold answer in its passages")
    for key, _ in REVISIONS_V2:
        if key not in {p.key for p in PASSAGES}:
            raise SystemExit(f"REVISIONS_V2 names unknown passage {key!r}")


PARAPHRASES_TOTAL = 120
QUESTIONS_TOTAL = 100


def _spread(
    keys: list[str], total: int, zeros: int, threes: int, rng: random.Random
) -> dict[str, int]:
    """Give each key 0-3 items, ``total`` in all: ``zeros`` get none, ``threes`` get three."""
    rest = len(keys) - zeros - threes
    twos = total - 3 * threes - rest
    if not 0 <= twos <= rest:
        raise SystemExit(f"cannot spread {total} items over {len(keys)} passages")
    counts = [0] * zeros + [1] * (rest - twos) + [2] * twos + [3] * threes
    order = list(keys)
    rng.shuffle(order)
    return dict(zip(order, counts, strict=True))


def build(seed: int) -> Built:
    _check_corpus()
    n_real = len(PASSAGES)
    real_ids = {p.key: ext_id(i + 1) for i, p in enumerate(PASSAGES)}
    by_key = {p.key: p for p in PASSAGES}

    # --- plan: paraphrases per passage (0/1/2/3) and questions per passage (0/1/2) ---------
    n_para = _spread([p.key for p in PASSAGES], PARAPHRASES_TOTAL, 20, 5, _rng(seed, "p-plan"))
    n_q = _spread([p.key for p in PASSAGES], QUESTIONS_TOTAL, 15, 0, _rng(seed, "q-plan"))

    # --- paraphrases ---------------------------------------------------------------------
    para_specs: list[tuple[str, str, str, str, int]] = []  # (id, source key, template, version, n)
    next_id = n_real + 1
    for p in PASSAGES:
        for variant in range(n_para[p.key]):
            r = _rng(seed, "paraphrase-config", p.key, variant)
            template = r.choices(PARAPHRASE_TEMPLATES, PARAPHRASE_WEIGHTS)[0]
            version = "2" if r.random() < 0.45 else "3"
            para_specs.append((ext_id(next_id), p.key, template, version, variant))
            next_id += 1
    question_specs: list[tuple[str, str, str, str, int]] = []
    for p in PASSAGES:
        for variant in range(n_q[p.key]):
            r = _rng(seed, "question-config", p.key, variant)
            template = r.choices(QUESTION_KINDS, QUESTION_WEIGHTS)[0]
            version = "2" if r.random() < 0.45 else "3"
            question_specs.append((ext_id(next_id), p.key, template, version, variant))
            next_id += 1
    new_ids = {p.key: ext_id(next_id + i) for i, p in enumerate(NEW_PASSAGES_V2)}

    # --- label plans: every real passage, a share of synthetic samples -----------------------
    plans: dict[str, LabelPlan] = {}
    intent_of: dict[str, str] = {}
    for i, p in enumerate(PASSAGES):
        sid = real_ids[p.key]
        plans[sid] = LabelPlan(HUMANS, topic_by=HUMANS[i % 3])
        intent_of[sid] = p.intent
    r = _rng(seed, "synthetic-label-plan")
    para_labelled = set(r.sample([s[0] for s in para_specs], round(0.4 * len(para_specs))))
    q_labelled = set(r.sample([s[0] for s in question_specs], round(0.5 * len(question_specs))))
    for sid, key, *_ in para_specs + question_specs:
        if sid in para_labelled or sid in q_labelled:
            rr = _rng(seed, "annotators", sid)
            who = HUMANS if rr.random() < 0.5 else tuple(sorted(rr.sample(HUMANS, 2)))
            plans[sid] = LabelPlan(who)
            intent_of[sid] = by_key[key].intent
    _plan_disagreements(seed, V1, plans, intent_of, share=0.17)

    new_plans = {
        new_ids[p.key]: LabelPlan(HUMANS, topic_by=HUMANS[i % 3])
        for i, p in enumerate(NEW_PASSAGES_V2)
    }
    new_intents = {new_ids[p.key]: p.intent for p in NEW_PASSAGES_V2}
    _plan_disagreements(seed, V2, new_plans, new_intents, share=0.2)

    # --- render v1 -----------------------------------------------------------------------
    v1: list[dict[str, Any]] = []
    for p in PASSAGES:
        sid = real_ids[p.key]
        r = _rng(seed, "real", sid)
        updated = _day((2026, 8, 1), 60, r).strftime("%Y-%m-%d")
        labels = _labels(p.intent, p.topic, plans[sid], datetime(2026, 10, 1, tzinfo=UTC), 22, r)
        v1.append(_real_record(p, sid, V1, updated, labels))

    def render_paraphrase(
        spec: tuple[str, str, str, str, int], source: Passage, month: int, taken: set[str]
    ) -> dict[str, Any]:
        """A paraphrase record; ``taken``: texts it must differ from (source, siblings)."""
        sid, key, template, version, variant = spec
        r = _rng(seed, "paraphrase", sid, month)
        text = paraphrase(source.text, template, version, r)
        attempt = 0
        while text in taken and attempt < 8:
            attempt += 1
            text = paraphrase(
                source.text, template, version, _rng(seed, "retry", sid, attempt), 0.1 * attempt
            )
        if text in taken:
            text = OPENERS[version][variant % len(OPENERS[version])] + text
        if month == 10:
            start = (2026, 10, 2) if version == "2" else (2026, 10, 12)
            gen_day = _day(start, 8, r)
        else:
            gen_day = _day((2026, 11, 3), 4, r)
        generated_at = _at(gen_day, r)
        labels = (
            _labels(source.intent, source.topic, plans[sid], gen_day, 5, r) if sid in plans else []
        )
        return {
            "id": sid,
            "text": text,
            "origin": "synthetic",
            "dataset": DATASET,
            "version": V1 if month == 10 else V2,
            "kind": "passage",
            "generation": {
                "generator": PARAPHRASER,
                "model": ENGINE,
                "prompt_template": template,
                "prompt_version": version,
                "seed": seed,
                "params": PARAPHRASE_PARAMS[(template, version)],
                "generated_at": _ts(generated_at),
            },
            "labels": labels,
            "sensitivity": source.sensitivity,
            "metadata": {
                "paraphrase_of": real_ids[key],
                "topic": source.topic,
                "product": source.product or DEFAULT_PRODUCT[source.topic],
            },
        }

    siblings: dict[str, set[str]] = {}
    for spec in para_specs:
        source = by_key[spec[1]]
        taken = siblings.setdefault(spec[1], {source.text})
        rec = render_paraphrase(spec, source, 10, taken)
        taken.add(rec["text"])
        v1.append(rec)

    for sid, key, template, version, variant in question_specs:
        p = by_key[key]
        r = _rng(seed, "question", sid)
        vp = p.asks[variant % len(p.asks)]
        text = make_question(vp, template, version, r)
        start = (2026, 10, 2) if version == "2" else (2026, 10, 12)
        gen_day = _day(start, 8, r)
        generated_at = _at(gen_day, r)
        labels = _labels(p.intent, p.topic, plans[sid], gen_day, 5, r) if sid in plans else []
        labels += _heuristic_label(text, generated_at + timedelta(hours=2))
        v1.append(
            {
                "id": sid,
                "text": text,
                "origin": "synthetic",
                "dataset": DATASET,
                "version": V1,
                "kind": "question",
                "generation": {
                    "generator": QUESTION_GEN,
                    "model": ENGINE,
                    "prompt_template": template,
                    "prompt_version": version,
                    "seed": seed,
                    "params": QUESTION_PARAMS[(template, version)],
                    "generated_at": _ts(generated_at),
                },
                "labels": labels,
                "sensitivity": "internal",
                "metadata": {
                    "about": real_ids[key],
                    "topic": p.topic,
                    "persona": "agent" if p.section == "agent-handbook" else "customer",
                },
            }
        )

    # --- render v2: same ids, revised facts, regenerated paraphrases, new passages ----------
    revised_keys = [key for key, _ in REVISIONS_V2]
    v2: list[dict[str, Any]] = []
    for rec in v1:
        rec2 = dict(rec, version=V2)
        v2.append(rec2)
    index = {rec["id"]: i for i, rec in enumerate(v2)}
    for key in revised_keys:
        sid = real_ids[key]
        old = v2[index[sid]]
        revised = _revise(by_key[key])
        r = _rng(seed, "revision", sid)
        updated = _day((2026, 10, 26), 6, r).strftime("%Y-%m-%d")
        v2[index[sid]] = _real_record(revised, sid, V2, updated, old["labels"])
        taken = {revised.text}
        for spec in para_specs:
            if spec[1] == key:
                regen = (spec[0], key, spec[2], "3", spec[4])
                rec = render_paraphrase(regen, revised, 11, taken)
                taken.add(rec["text"])
                v2[index[spec[0]]] = rec
    for p in NEW_PASSAGES_V2:
        sid = new_ids[p.key]
        r = _rng(seed, "real", sid)
        updated = _day((2026, 10, 20), 12, r).strftime("%Y-%m-%d")
        labels = _labels(p.intent, p.topic, new_plans[sid], datetime(2026, 11, 2, tzinfo=UTC), 6, r)
        v2.append(_real_record(p, sid, V2, updated, labels))

    golden = _golden(v1, real_ids)
    bad, bad_count = _bad_records()
    stats = _stats(v1, v2, golden, bad_count)
    return Built(v1, v2, golden, bad, bad_count, revised_keys, stats)


def _golden(v1: list[dict[str, Any]], real_ids: dict[str, str]) -> list[dict[str, Any]]:
    paraphrases: dict[str, list[dict[str, Any]]] = {}
    for rec in v1:
        src = rec["metadata"].get("paraphrase_of")
        if src:
            paraphrases.setdefault(src, []).append(rec)
    out = []
    for i, spec in enumerate(GOLDEN, start=1):
        relevant: dict[str, int] = {}
        for key in spec.answers_in:
            relevant[real_ids[key]] = 2
        for key in spec.related:
            relevant.setdefault(real_ids[key], 1)
        answers = [a.lower() for a in spec.gold_answers]
        for key in spec.answers_in:
            for para in paraphrases.get(real_ids[key], []):
                text = para["text"].lower()
                relevant.setdefault(para["id"], 2 if any(a in text for a in answers) else 1)
        out.append(
            {
                "query_id": f"q-{i:03d}",
                "query": spec.query,
                "relevant": relevant,
                "gold_answers": list(spec.gold_answers),
                "tags": list(spec.tags),
                "author": "expert-1",
                "guideline_version": "gs-1.0",
            }
        )
    return out


def _bad_records() -> tuple[list[str], int]:
    """Lines of bad_records.jsonl (good and bad mixed) and how many are bad."""
    gen = {
        "generator": PARAPHRASER,
        "model": ENGINE,
        "prompt_template": "paraphrase-plain",
        "prompt_version": "3",
        "seed": 7,
        "params": {"temperature": 0.9},
        "generated_at": "2026-10-14T10:30:00Z",
    }
    base = {"dataset": INTAKE_DATASET, "version": V1}

    def dump(obj: dict[str, Any]) -> str:
        return json.dumps(obj, ensure_ascii=False)

    good = [
        dump(
            {
                "id": "intake-001",
                "origin": "real",
                **base,
                "sensitivity": "public",
                "text": "Branch cash machines accept coin deposits of up to £200 per visit.",
                "metadata": {"topic": "accounts"},
            }
        ),
        dump(
            {
                "id": "intake-002",
                "origin": "synthetic",
                **base,
                "sensitivity": "public",
                "text": "You are able to deposit up to £200 in coins at a branch cash machine.",
                "generation": gen,
                "metadata": {"paraphrase_of": "intake-001"},
            }
        ),
        dump(
            {
                "id": "intake-006",
                "origin": "synthetic",
                "kind": "question",
                **base,
                "text": "Can I pay coins in at the cash machine?",
                "generation": dict(
                    gen,
                    generator=QUESTION_GEN,
                    prompt_template="user-question-casual",
                    params={"temperature": 0.8, "typo_rate": 0.05},
                ),
            }
        ),
        dump(
            {
                "id": "intake-010",
                "origin": "real",
                **base,
                "sensitivity": "internal",
                "text": "Coin deposits over £200 must be counted by branch staff.",
                "labels": [
                    {
                        "field": "intent",
                        "value": "cash_deposit",
                        "annotator": "ann-2",
                        "annotator_kind": "human",
                        "guideline_version": "1.2",
                        "guideline": "nw-intent",
                        "labeled_at": "2026-10-20T11:00:00Z",
                    }
                ],
            }
        ),
    ]
    bad = [
        # broken JSON: the line ends mid-object
        '{"id": "intake-003", "origin": "real", "dataset": "northwind-intake", '
        '"text": "Coin deposits are counted',
        # missing text
        dump({"id": "intake-004", "origin": "real", **base}),
        # origin outside real|synthetic
        dump(
            {
                "id": "intake-005",
                "origin": "alien",
                **base,
                "text": "Greetings from another planet.",
            }
        ),
        # synthetic without generation
        dump(
            {
                "id": "intake-007",
                "origin": "synthetic",
                **base,
                "text": "Coins can be paid in at branch machines.",
            }
        ),
        # bad date in generation.generated_at
        dump(
            {
                "id": "intake-008",
                "origin": "synthetic",
                **base,
                "text": "Coin machines take up to £200.",
                "generation": dict(gen, generated_at="2026-13-45T25:61:00Z"),
            }
        ),
        # unknown top-level field (belongs under metadata)
        dump(
            {
                "id": "intake-009",
                "origin": "real",
                **base,
                "priority": "high",
                "text": "Coin deposits are free for personal customers.",
            }
        ),
    ]
    lines = [good[0], good[1], bad[0], bad[1], bad[2], good[2], bad[3], bad[4], bad[5], good[3]]
    return lines, len(bad)


def _is_disagreement(rec: dict[str, Any]) -> bool:
    values = {
        lab["value"]
        for lab in rec["labels"]
        if lab["field"] == "intent" and lab["annotator_kind"] == "human"
    }
    return len(values) > 1


def _stats(
    v1: list[dict[str, Any]], v2: list[dict[str, Any]], golden: list[dict[str, Any]], bad: int
) -> dict[str, int]:
    def count(recs: list[dict[str, Any]], **match: str) -> int:
        return sum(all(rec.get(k) == v for k, v in match.items()) for rec in recs)

    human_labelled = [r for r in v1 if any(x["annotator_kind"] == "human" for x in r["labels"])]
    v1_by_id = {r["id"]: r for r in v1}
    origins = {r["id"]: r["origin"] for r in v1}
    rel = [sid for g in golden for sid in g["relevant"]]
    return {
        "v1_samples": len(v1),
        "v1_real_passages": count(v1, origin="real"),
        "v1_synthetic_paraphrases": count(v1, origin="synthetic", kind="passage"),
        "v1_synthetic_questions": count(v1, origin="synthetic", kind="question"),
        "v1_restricted": count(v1, sensitivity="restricted"),
        "v1_public": count(v1, sensitivity="public"),
        "v1_internal": count(v1, sensitivity="internal"),
        "v1_labels": sum(len(r["labels"]) for r in v1),
        "v1_human_labels": sum(
            1 for r in v1 for x in r["labels"] if x["annotator_kind"] == "human"
        ),
        "v1_heuristic_labels": sum(
            1 for r in v1 for x in r["labels"] if x["annotator_kind"] == "heuristic"
        ),
        "v1_human_labelled_samples": len(human_labelled),
        "v1_disagreements": sum(_is_disagreement(r) for r in human_labelled),
        "v2_samples": len(v2),
        "v2_changed": sum(
            1 for r in v2 if r["id"] in v1_by_id and r["text"] != v1_by_id[r["id"]]["text"]
        ),
        "v2_changed_real": sum(
            1
            for r in v2
            if r["id"] in v1_by_id
            and r["origin"] == "real"
            and r["text"] != v1_by_id[r["id"]]["text"]
        ),
        "v2_new": sum(1 for r in v2 if r["id"] not in v1_by_id),
        "v2_disagreements_new": sum(_is_disagreement(r) for r in v2 if r["id"] not in v1_by_id),
        "golden_queries": len(golden),
        "golden_judgements": len(rel),
        "golden_real_judgements": sum(origins[s] == "real" for s in rel),
        "golden_synthetic_judgements": sum(origins[s] == "synthetic" for s in rel),
        "bad_records_lines": 0,  # filled by the writer
        "bad_records_bad": bad,
    }


# =============================================================================
# Writers
# =============================================================================


def _jsonl(records: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _turtle_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def gazetteer_ttl() -> str:
    lines = [
        "# Northwind Bank gazetteer: the bank's own entities and products with aliases.",
        "# Written for provrag's example data (fictional). Licence: Apache-2.0.",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix pr: <https://w3id.org/provrag/ns#> .",
        f"@prefix nw: <{GAZETTEER_NS}> .",
        "",
        "nw:scheme a skos:ConceptScheme ;",
        '    skos:prefLabel "Northwind Bank gazetteer" ;',
        '    dcterms:description "Named entities of the Northwind Bank support knowledge base." ;',
        "    dcterms:license <https://www.apache.org/licenses/LICENSE-2.0> .",
        "",
    ]
    for slug, etype, pref, alts in GAZETTEER:
        lines.append(f"nw:{slug} a skos:Concept ;")
        lines.append("    skos:inScheme nw:scheme ;")
        lines.append(f"    skos:prefLabel {_turtle_str(pref)} ;")
        if alts:
            lines.append("    skos:altLabel " + ", ".join(_turtle_str(a) for a in alts) + " ;")
        lines.append(f"    pr:entityType {_turtle_str(etype)} .")
        lines.append("")
    return "\n".join(lines)


def golden_meta() -> dict[str, Any]:
    return {
        "name": "northwind-golden",
        "version": "1.0",
        "dataset": DATASET,
        "author": "expert-1",
        "guideline_version": "gs-1.0",
        "description": (
            f"Expert golden set over version {V1} of the Northwind Bank support knowledge "
            f"base (kb_v1.jsonl): {len(GOLDEN)} customer queries worded unlike the passages, "
            "with graded relevant sample ids (2 = answers the query, 1 = related; real "
            "passages and their synthetic paraphrases), gold answers taken verbatim from the "
            "passages, and tags (topic; 'entity' when the query names an organisation, place "
            "or person; 'restricted' when only restricted samples answer it)."
        ),
    }


def readme(b: Built, seed: int, files: dict[str, dict[str, Any]]) -> str:
    s = b.stats
    revised = ", ".join(f"`{k}`" for k in b.revised_keys)
    rows = "\n".join(
        f"| `{name}` | {meta['lines']} | `{meta['sha256'][:16]}` |" for name, meta in files.items()
    )
    return f"""# Northwind Bank example data

The bundled example data of provrag: the customer-support knowledge base of **Northwind
Bank**, a fictional bank (cards, the Northwind Mobile app, transfers, savings, mortgages,
fraud, branches). Everything here was written for provrag by its authors: the passages, the
paraphrase and question templates, the golden set and the gazetteer. Phone numbers are taken
from the ranges Ofcom reserves for drama, web and e-mail addresses use the reserved
`.example` domain, and the people are invented. Real organisations (Visa, Mastercard, Apple
Pay, Google Pay, the Post Office, the Financial Ombudsman Service) appear as names only; the
facts about them here are made up.

**Licence:** Apache-2.0, like the rest of provrag.

## How it was made

```bash
python scripts/make_example_data.py --seed {seed} --out provrag/example_data
```

The generator is deterministic: the same seed writes byte-identical files (a test checks
this). It validates every knowledge-base record against `kg.model.SampleRecord` before
writing.

## Files

| file | lines | sha256 (first 16) |
|---|---|---|
{rows}

### `kb_v1.jsonl`: dataset `{DATASET}`, version `{V1}` ({s["v1_samples"]} samples)

One `SampleRecord` per line (the input contract of `provrag ingest`).

- **{s["v1_real_passages"]} real passages** (`origin: real`, `kind: passage`), ids
  `kb-0001`...: help-centre articles and a few agent-handbook pages, 2-5 sentences with
  concrete facts (fees, limits, rates, phone numbers, steps). `metadata`: `topic`,
  `product`, `section`, `updated`, and `url` for help-centre articles.
- **{s["v1_synthetic_paraphrases"]} synthetic paraphrases** (`origin: synthetic`,
  `kind: passage`, `metadata.paraphrase_of` = the source id), made by the template engine
  `nw-paraphraser` / `{ENGINE}` with the prompt templates `paraphrase-plain`,
  `paraphrase-friendly` and `paraphrase-brief` in prompt versions `2` and `3`. Version 3
  samples at a higher temperature, and its brief template keeps the fact-bearing
  sentences where version 2 keeps the first two; the paraphraser also swaps in the aliases
  `NWB`, `Northwind` and `the Northwind app`. The full configuration (generator, model,
  template, prompt version, seed, params, generated_at) is in each record's `generation`.
- **{s["v1_synthetic_questions"]} synthetic user questions** (`kind: question`,
  `metadata.about` = the passage id, `metadata.persona` = customer or agent) from
  `nw-question-gen` with the templates `user-question-howto`, `user-question-casual`
  (with the odd typo) and `user-question-polite`, prompt versions `2` and `3`.
- **Labels** ({s["v1_labels"]} in all): every real passage carries an `intent` label from each
  of the three human annotators `ann-1`, `ann-2`, `ann-3` and a `topic` label from one of
  them; 40% of the paraphrases and half of the questions carry `intent` labels from two or
  three of them ({s["v1_human_labels"]} human labels on {s["v1_human_labelled_samples"]}
  samples). The annotators disagree on **{s["v1_disagreements"]}** of those samples (about
  17%, chosen by the seed). Labels made before 2026-10-15 follow guideline `nw-intent` /
  `nw-topic` version `1.1`, later ones version `1.2`. The software annotator
  `intent-heuristic` (`annotator_kind: heuristic`, keyword rules, with a `confidence`)
  labelled the questions where one of its rules fired ({s["v1_heuristic_labels"]} labels).
- **Sensitivity:** {s["v1_public"]} public, {s["v1_internal"]} internal (agent handbook,
  user questions), {s["v1_restricted"]} restricted (internal fraud procedures and their
  paraphrases).

Ids: real passages first, then the paraphrases, then the questions, then (in v2) the new
passages.

### `kb_v2.jsonl`: version `{V2}` ({s["v2_samples"]} samples)

The same ids as v1 with **{s["v2_changed_real"]} passages revised** ({revised}: a new
international payment fee, savings and mortgage rates, a new Bristol branch manager, ...),
their paraphrases regenerated with prompt version 3 ({s["v2_changed"]} changed texts in
all), and **{s["v2_new"]} new passages** (a Sheffield branch, the Premier account, open
banking, crypto payment limits, ...), labelled by the three annotators under guideline 1.2
(disagreement on {s["v2_disagreements_new"]} of them). Everything else is byte-identical to
v1, so ingesting v2 after v1 shows {s["v2_changed"]} revisions, {s["v2_new"]} new samples and
the rest unchanged: enough for `provrag drift`.

### `bad_records.jsonl`: the quarantine demo ({s["bad_records_lines"]} lines)

Dataset `{INTAKE_DATASET}`. **{s["bad_records_lines"] - s["bad_records_bad"]} good
records and {s["bad_records_bad"]} bad lines**: a broken JSON line (line 3), a record
without `text` (line 4), `origin: "alien"` (line 5), a synthetic record without
`generation` (line 7), an impossible date in `generation.generated_at` (line 8) and an
unknown top-level field `priority` (line 9).

### `golden.jsonl` and `golden.meta.json`: expert golden set `northwind-golden` 1.0

{s["golden_queries"]} queries by `expert-1` under guideline `gs-1.0`, over `kb_v1`. Each line:
`query_id`, `query`, `relevant` (external sample id -> grade: 2 answers the query, 1 is
related), `gold_answers` (alternatives, verbatim from an answering passage), `tags`,
`author`, `guideline_version`. The queries are worded unlike the passages; many name an
organisation, place or person (tag `entity`) so that graph enrichment can help. Relevance:
{s["golden_judgements"]} judgements, {s["golden_real_judgements"]} on real passages and
{s["golden_synthetic_judgements"]} on synthetic paraphrases (a paraphrase of an answering
passage gets grade 2 when it still contains a gold answer, else 1), so evaluation can be
sliced by the origin of the gold passages. One query (tag `restricted`) is answered only by
restricted samples (an agent-handbook fraud procedure).

### `gazetteer.ttl`

A SKOS concept scheme with {len(GAZETTEER)} concepts: the bank, its products, its people and
its partners, each with `skos:prefLabel`, `skos:altLabel` aliases (e.g. `Northwind Bank` /
`NWB` / `Northwind`; `Northwind Mobile` / `the Northwind app`) and
`<https://w3id.org/provrag/ns#entityType>` (`ORG`, `PRODUCT`, `PERSON`). Load it with
`provrag import` or pass it to entity linking.

### `manifest.json`

The counts above and the sha256 of every data file, for tests and the quick start.
"""


def write(out: Path, seed: int) -> Built:
    if str(REPO) not in sys.path:  # run from a checkout without an installed provrag
        sys.path.insert(0, str(REPO))
    from kg.model import SampleRecord  # the input contract; imported here so --help is instant

    b = build(seed)
    for name, records in (("kb_v1.jsonl", b.v1), ("kb_v2.jsonl", b.v2)):
        for line_no, rec in enumerate(records, start=1):
            try:
                SampleRecord.model_validate(rec)
            except Exception as exc:  # noqa: BLE001 - report which record, then stop
                raise SystemExit(f"{name}:{line_no} ({rec.get('id')}) is invalid: {exc}") from exc
    b.stats["bad_records_lines"] = len(b.bad)
    contents: dict[str, str] = {
        "kb_v1.jsonl": _jsonl(b.v1),
        "kb_v2.jsonl": _jsonl(b.v2),
        "bad_records.jsonl": "".join(line + "\n" for line in b.bad),
        "golden.jsonl": _jsonl(b.golden),
        "golden.meta.json": json.dumps(golden_meta(), indent=2, ensure_ascii=False) + "\n",
        "gazetteer.ttl": gazetteer_ttl(),
    }
    files = {
        name: {
            "lines": text.count("\n"),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
        for name, text in contents.items()
    }
    manifest = {
        "generator": "scripts/make_example_data.py",
        "seed": seed,
        "dataset": DATASET,
        "versions": [V1, V2],
        "counts": b.stats,
        "files": files,
    }
    contents["manifest.json"] = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    contents["README.md"] = readme(b, seed, files)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in contents.items():
        (out / name).write_bytes(text.encode("utf-8"))
    return b


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 7)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    b = write(args.out, args.seed)
    for key, value in b.stats.items():
        print(f"{key:32} {value}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
