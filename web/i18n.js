// Texts of the front-end in Russian (the default) and English. The messages of the API's error codes are not
// here: they come from web/errors.js, generated from shared/platform/errors.py (`make error-catalogue`), so the
// page says what the API says. `errors` below holds only the page's own codes: "network" for a request that got
// no answer, "unknown" for a code neither knows, so the page never shows a bare code.
import { API_ERRORS } from "./errors.js";

const RU = {
  appTitle: "Запись на приём к врачу",
  appSubtitle: "Городские поликлиники Санкт-Петербурга",
  skip: "Перейти к содержимому",
  navBook: "Записаться",
  navAddress: "Моя поликлиника по адресу",
  navMy: "История заявлений",
  menu: "Меню",
  navSignIn: "Войти",
  navSignOut: "Выйти",
  signedInAs: "Вы вошли: {name}",
  langSwitch: "English",
  langSwitchLabel: "Switch to English",
  loading: "Загрузка…",
  retry: "Повторить",
  back: "Назад",
  home: "Главная",
  crumbs: "Шаги записи",
  footer: "Запись возможна только в поликлинику, к которой вы прикреплены по полису ОМС.",

  districtsTitle: "Выберите район",
  districtsIntro: "Запишитесь к врачу поликлиники, к которой вы прикреплены. Не знаете свою поликлинику?",
  districtsFind: "Найдите её по адресу.",
  applyTitle: "Подать заявление",
  clinicsTitle: "Выберите поликлинику",
  specialtiesTitle: "Выберите специальность",
  doctorsTitle: "Выберите врача",
  freeSlots: "Свободно: {n}",
  noFreeSlots: "Нет свободного времени",
  waitCardNote: "Сообщим, когда появится время",
  doctorsNone: "Сейчас у врачей этой специальности нет свободного времени. Оставьте заявку — мы напишем, как только время освободится, и на 15 минут закрепим его за вами.",
  nearest: "Ближайшее: {when}",
  referral: "Только по направлению",
  ageUnder: "Дети до {n} лет",
  ageFrom: "Взрослые, с {n} лет",
  referralEntry: "Запись по направлению",
  referralTitle: "Запись по направлению",
  referralIntro: "К кардиологу, эндокринологу и другим узким специалистам записывают по направлению. Введите номер направления и фамилию пациента — покажем, к какому врачу и в какую поликлинику оно выдано.",
  referralNumber: "Номер направления",
  referralNumberHint: "12 цифр, напечатаны на направлении",
  referralFind: "Найти направление",
  referralFor: "Направление: {specialty}",
  referralValidUntil: "Действует до {day} включительно",
  referralOnlyThis: "Это направление выдано к другому специалисту или в другую поликлинику: записаться по нему можно только туда.",
  referralChoose: "Выбрать врача и время",
  referralAsk: "Ввести номер направления",
  referralOnTicket: "По направлению № {number}",
  badReferral: "Номер направления — 12 цифр.",
  referralNote: "К этому специалисту записывают только по направлению терапевта или педиатра.",
  room: "Кабинет {room}",
  phone: "Телефон",
  workingHours: "Часы работы",

  calendarTitle: "Выберите дату и время",
  calendarDays: "Ближайшие 14 дней",
  calendarNone: "У этого врача нет свободного времени в ближайшие 14 дней. Попросите сообщить, когда время появится, или выберите другого врача.",
  dayNone: "В этот день свободного времени нет.",
  slotsOn: "Свободное время {day}",
  slotsCount: "{n} своб.",
  holding: "Бронируем время…",

  formTitle: "Данные пациента",
  formIntro: "Проверьте время приёма и заполните данные пациента, как в его полисе ОМС (записываете ребёнка — данные ребёнка).",
  whoTitle: "Кто записывается",
  whoIntro: "Время закрепляется за пациентом: укажите его фамилию, дату рождения и полис ОМС (записываете ребёнка — данные ребёнка), затем выберите время.",
  formSignedIntro: "Данные взяты из вашей учётной записи.",
  lastName: "Фамилия",
  firstName: "Имя",
  middleName: "Отчество (если есть)",
  birthDate: "Дата рождения",
  policyNumber: "Номер полиса ОМС",
  policyNumberHint: "16 цифр; в старом полисе — от 6 цифр",
  policySeries: "Серия полиса (если есть)",
  email: "Электронная почта",
  emailHint: "Сюда придёт талон",
  phoneOpt: "Телефон (необязательно)",
  confirm: "Записаться",
  booking: "Записываем…",
  changeTime: "Выбрать другое время",
  holdLeft: "Время закреплено за вами ещё {time}",
  holdGone: "Время на оформление истекло. Выберите время снова.",
  required: "Заполните это поле.",
  badName: "Только буквы, пробел, дефис и апостроф.",
  badDate: "Введите полную дату: день, месяц и год.",
  futureDate: "Дата рождения не может быть в будущем.",
  oldDate: "Проверьте год рождения.",
  badPolicy: "Номер полиса — от 6 до 16 цифр.",
  badSeries: "Серия — буквы и цифры.",
  badEmail: "Введите адрес почты, например ivanov@mail.ru.",
  badPhone: "Проверьте номер телефона.",
  badStreet: "Введите название улицы, например: Садовая.",
  badHouse: "Введите номер дома, например: 5 или 5к2.",
  fixErrors: "Исправьте ошибки в форме: {n}.",
  appointment: "Приём",

  ticketTitle: "Талон на приём",
  ticketNumber: "Талон № {number}",
  ticketSent: "Копия талона отправлена на вашу почту.",
  when: "Дата и время",
  doctor: "Врач",
  specialty: "Специальность",
  clinic: "Поликлиника",
  patient: "Пациент",
  status: "Статус",
  print: "Распечатать",
  addToCalendar: "Добавить в календарь (.ics)",
  howToCancel: "Как отменить запись",
  cancelThis: "Отменить запись",
  ticketMissing: "Этот талон не открыть по такой ссылке. Откройте ссылку из письма с талоном или найдите запись в разделе «История заявлений».",
  status_booked: "Оформлена",
  status_cancelled: "Отменена",
  status_fulfilled: "Приём состоялся",
  status_noshow: "Неявка",
  status_rescheduled: "Перенесена",
  rescheduleThis: "Перенести запись",
  rescheduleTitle: "Перенос записи",
  rescheduleIntro: "Выберите новое время у врача той же специальности. Прежняя запись остаётся в силе, пока новая не оформлена.",
  rescheduleNow: "Сейчас вы записаны",
  rescheduleDoctor: "Врач",
  rescheduleConfirmTitle: "Подтвердите перенос",
  rescheduleFrom: "Было",
  rescheduleTo: "Станет",
  rescheduleDo: "Перенести",
  rescheduling: "Переносим…",
  rescheduledNotice: "Запись перенесена. Новый талон № {number} отправлен на вашу почту; прежний талон больше не действует.",
  rescheduleNotBooked: "Эту запись перенести нельзя: перенести можно только оформленную запись, приём по которой ещё не начался.",
  rescheduledFromLink: "Перенесена с прежней записи",
  rescheduledToLink: "Перенесена на новое время: открыть новый талон",
  remindersLabel: "Напомнить о приёме по электронной почте",
  remindersHint: "Письмо накануне и незадолго до приёма; отключить можно по ссылке в письме.",
  remindersOffTitle: "Напоминания о приёме",
  remindersOffDone: "Напоминания об этой записи отключены. Талон и запись остаются в силе.",
  remindersOffBad: "Ссылка не подошла: возможно, она неполная или запись уже отменена.",

  cancelTitle: "Отменить запись на приём к врачу",
  cancelFindIntro: "Найдите запись по полису ОМС, фамилии и дате рождения и нажмите «Отменить запись». Отменяйте запись не позднее чем за сутки до приёма.",
  cancelIntro: "Чтобы отменить запись, введите данные полиса ОМС, с которым вы записывались.",
  cancelSignedIntro: "Отменить запись по вашей учётной записи?",
  cancelDo: "Отменить запись",
  cancelling: "Отменяем…",
  cancelConfirm: "Отменить запись № {number} на {when}?",
  cancelYes: "Да, отменить",
  cancelNo: "Нет",
  cancelled: "Запись № {number} отменена. Время освобождено для других пациентов.",
  cancelWhich: "Запись:",
  cancelWhichDone: "Отменённая запись:",
  cancelNotBooked: "Эту запись отменить нельзя: её статус — «{status}».",
  bookAgain: "Записаться на приём",

  myTitle: "История заявлений",
  myIntro: "Вся история заявлений видна после входа. Без входа здесь можно найти свои будущие записи по полису ОМС, фамилии и дате рождения, чтобы отменить или перенести их.",
  mySignedIntro: "История ваших заявлений, сначала новые.",
  mySignInHint: "Войдите, чтобы видеть всю историю заявлений.",
  search: "Найти",
  searching: "Ищем…",
  myNone: "Записей не найдено.",
  more: "Показать ещё",
  openTicket: "Талон",

  addressTitle: "Моя поликлиника по адресу",
  addressIntro: "Прикрепиться к поликлинике можно лично, в поликлинике рядом с адресом регистрации. Найдите, какие поликлиники обслуживают ваш адрес.",
  street: "Улица",
  streetHint: "Например: Садовая",
  house: "Дом",
  find: "Найти",
  addressNone: "По этому адресу поликлиник не найдено. Проверьте написание улицы и номер дома.",
  addressFound: "Поликлиники, обслуживающие адрес: {address}",
  addressCandidates: "Улиц с таким названием несколько. Выберите свою:",
  districtOf: "{name} район",
  bookHere: "Записаться сюда",
  myClinic: "Вы прикреплены к поликлинике: {name}",
  attachedTo: "По данным регистра вы прикреплены к поликлинике: {name}.",
  bookThere: "Записаться туда",
  address: "Адрес: улица и дом",
  addressHint: "Например: Невский пр., 28 или Садовая 5к2",
  addressNoHouse: "Добавьте номер дома, например: Садовая 5.",
  addressStreetUnknown: "Улица «{street}» не найдена в регистре.",
  addressHouseUnknown: "Дома {house} на улице «{street}» нет в регистре. Проверьте номер дома.",
  addressDidYouMean: "Возможно, вы имели в виду:",
  addressAnnounce: "Найдено поликлиник: {n}.",
  addressCandidatesAnnounce: "Найдено улиц: {n}. Выберите свою.",
  ticketLoading: "Загружаем талон…",
  cancelFor: "Вы отменяете запись:",
  cancelNotFound: "Запись с таким номером и серией полиса не найдена. Проверьте номер и серию полиса (серия есть только у старых полисов).",

  signInTitle: "Вход",
  signInIntro: "Войдите через Госуслуги: данные для записи подставятся сами, а в истории будут все ваши заявления.",
  signInLocal: "Локальный стенд: вход демо-пациента по номеру его полиса (см. infra/demo/patients.json).",
  signInDo: "Войти",
  signInGo: "Войти через Госуслуги",
  signInFailed: "Не удалось войти: проверьте номер полиса демо-пациента.",
  signedOut: "Вы вышли из учётной записи.",

  notFoundTitle: "Страница не найдена",
  notFoundText: "Такой страницы нет. Начните запись с выбора района.",

  errors: {
    network: "Нет связи с сервером. Проверьте подключение к интернету и повторите.",
    unknown: "Что-то пошло не так. Повторите попытку.",
  },
  errorActionAddress: "Найти поликлинику по адресу",
  errorActionMy: "История заявлений",
  errorActionFix: "Исправить данные",
  errorActionFixAddress: "Исправить адрес",
  errorActionOtherDoctor: "Выбрать другого врача",
  errorActionGp: "Записаться к терапевту или педиатру",
  errorActionDoctors: "Другие врачи этой специальности",
  errorActionHome: "Записаться без направления",
  errorActionSignIn: "Войти",
  errorActionTimes: "К выбору времени",
};

const EN = {
  appTitle: "Doctor appointments",
  appSubtitle: "St. Petersburg city polyclinics",
  skip: "Skip to content",
  navBook: "Book",
  navAddress: "Find my clinic by address",
  navMy: "History of applications",
  menu: "Menu",
  navSignIn: "Sign in",
  navSignOut: "Sign out",
  signedInAs: "Signed in: {name}",
  langSwitch: "Русский",
  langSwitchLabel: "Переключить на русский",
  loading: "Loading…",
  retry: "Try again",
  back: "Back",
  home: "Home",
  crumbs: "Booking steps",
  footer: "You can book only at the polyclinic you are attached to by your OMS policy.",

  districtsTitle: "Choose a district",
  districtsIntro: "Book a doctor at the polyclinic you are attached to. Don't know which one it is?",
  districtsFind: "Find it by address.",
  applyTitle: "Submit an application",
  clinicsTitle: "Choose a polyclinic",
  specialtiesTitle: "Choose a specialty",
  doctorsTitle: "Choose a doctor",
  freeSlots: "Free: {n}",
  noFreeSlots: "No free times",
  waitCardNote: "We will tell you when a time frees up",
  doctorsNone: "No doctor of this specialty has a free time now. Leave a request: we will email you as soon as a time frees up and hold it for you for 15 minutes.",
  nearest: "Nearest: {when}",
  referral: "Referral only",
  ageUnder: "Children under {n}",
  ageFrom: "Adults, {n} and over",
  referralEntry: "Book with a referral",
  referralTitle: "Book with a referral",
  referralIntro: "Cardiologists, endocrinologists and other specialists see patients by referral. Enter the referral's number and the patient's last name to see which doctor and polyclinic it is for.",
  referralNumber: "Referral number",
  referralNumberHint: "12 digits, printed on the referral",
  referralFind: "Find the referral",
  referralFor: "Referral: {specialty}",
  referralValidUntil: "Valid until {day} inclusive",
  referralOnlyThis: "This referral is for another specialty or polyclinic: it books only there.",
  referralChoose: "Choose a doctor and time",
  referralAsk: "Enter the referral number",
  referralOnTicket: "By referral No. {number}",
  badReferral: "A referral number has 12 digits.",
  referralNote: "This specialty takes appointments only with a referral from a GP or paediatrician.",
  room: "Room {room}",
  phone: "Phone",
  workingHours: "Opening hours",

  calendarTitle: "Choose a date and time",
  calendarDays: "The next 14 days",
  calendarNone: "This doctor has no free times in the next 14 days. Ask us to tell you when a time frees up, or choose another doctor.",
  dayNone: "No free times on this day.",
  slotsOn: "Free times on {day}",
  slotsCount: "{n} free",
  holding: "Holding the time…",

  formTitle: "Patient details",
  formIntro: "Check the appointment time and enter the patient's details as on their OMS policy (booking for a child: the child's own).",
  whoTitle: "Who is booking",
  whoIntro: "A time is held for one patient: enter the patient's last name, birth date and OMS policy (booking for a child: the child's own), then choose the time.",
  formSignedIntro: "Your details come from your account.",
  lastName: "Last name",
  firstName: "First name",
  middleName: "Middle name (if any)",
  birthDate: "Date of birth",
  policyNumber: "OMS policy number",
  policyNumberHint: "16 digits; an old policy has 6 or more",
  policySeries: "Policy series (if any)",
  email: "Email",
  emailHint: "The ticket is sent here",
  phoneOpt: "Phone (optional)",
  confirm: "Book",
  booking: "Booking…",
  changeTime: "Choose another time",
  holdLeft: "This time is held for you for {time}",
  holdGone: "The time to complete the form ran out. Please choose a time again.",
  required: "Please fill in this field.",
  badName: "Letters, spaces, hyphens and apostrophes only.",
  badDate: "Enter the full date: day, month and year.",
  futureDate: "The date of birth cannot be in the future.",
  oldDate: "Please check the year of birth.",
  badPolicy: "The policy number has 6 to 16 digits.",
  badSeries: "The series has letters and digits only.",
  badEmail: "Enter an email address, e.g. name@example.org.",
  badPhone: "Please check the phone number.",
  badStreet: "Enter a street name, e.g. Sadovaya.",
  badHouse: "Enter a house number, e.g. 5 or 5k2.",
  fixErrors: "Please correct the errors in the form: {n}.",
  appointment: "Appointment",

  ticketTitle: "Appointment ticket",
  ticketNumber: "Ticket No. {number}",
  ticketSent: "A copy of the ticket has been sent to your email.",
  when: "Date and time",
  doctor: "Doctor",
  specialty: "Specialty",
  clinic: "Polyclinic",
  patient: "Patient",
  status: "Status",
  print: "Print",
  addToCalendar: "Add to calendar (.ics)",
  howToCancel: "How to cancel",
  cancelThis: "Cancel the appointment",
  ticketMissing: "This link does not open the ticket. Use the link in the ticket email or find the appointment under “History of applications”.",
  status_booked: "Booked",
  status_cancelled: "Cancelled",
  status_fulfilled: "Attended",
  status_noshow: "Did not attend",
  status_rescheduled: "Moved",
  rescheduleThis: "Move to another time",
  rescheduleTitle: "Move an appointment",
  rescheduleIntro: "Choose a new time with a doctor of the same specialty. Your appointment stays until the new one is booked.",
  rescheduleNow: "Your appointment now",
  rescheduleDoctor: "Doctor",
  rescheduleConfirmTitle: "Confirm the move",
  rescheduleFrom: "Was",
  rescheduleTo: "Will be",
  rescheduleDo: "Move",
  rescheduling: "Moving…",
  rescheduledNotice: "Moved. The new ticket No. {number} is on its way to your email; the old ticket is no longer valid.",
  rescheduleNotBooked: "This appointment cannot be moved: only a booked appointment that has not started can be.",
  rescheduledFromLink: "Moved here from an earlier appointment",
  rescheduledToLink: "Moved to another time: open the new ticket",
  remindersLabel: "Remind me of the appointment by email",
  remindersHint: "An email the day before and shortly before the visit; the email has a link to turn them off.",
  remindersOffTitle: "Appointment reminders",
  remindersOffDone: "Reminders for this appointment are off. The ticket and the appointment stay as they are.",
  remindersOffBad: "The link did not work: it may be incomplete, or the appointment was cancelled.",

  cancelTitle: "Cancel an appointment",
  cancelFindIntro: "Find the appointment by your OMS policy, last name and date of birth, then press “Cancel the appointment”. Please cancel at least a day before.",
  cancelIntro: "To cancel, enter the OMS policy you booked with.",
  cancelSignedIntro: "Cancel this appointment of your account?",
  cancelDo: "Cancel the appointment",
  cancelling: "Cancelling…",
  cancelConfirm: "Cancel appointment No. {number} on {when}?",
  cancelYes: "Yes, cancel",
  cancelNo: "No",
  cancelled: "Appointment No. {number} is cancelled. The time is free for other patients.",
  cancelWhich: "The appointment:",
  cancelWhichDone: "The cancelled appointment:",
  cancelNotBooked: "This appointment cannot be cancelled: its status is “{status}”.",
  bookAgain: "Book an appointment",

  myTitle: "History of applications",
  myIntro: "Your whole history is shown once you sign in. Without signing in, find your upcoming appointments here by OMS policy, last name and date of birth to cancel or move them.",
  mySignedIntro: "Your applications, newest first.",
  mySignInHint: "Sign in to see your whole history.",
  search: "Search",
  searching: "Searching…",
  myNone: "No appointments found.",
  more: "Show more",
  openTicket: "Ticket",

  addressTitle: "Find my clinic by address",
  addressIntro: "Attachment is done in person at a polyclinic near your registered address. Find which polyclinics serve your address.",
  street: "Street",
  streetHint: "As in Russian, e.g. Садовая",
  house: "House",
  find: "Find",
  addressNone: "No polyclinic serves this address. Check the street name and house number.",
  addressFound: "Polyclinics serving {address}",
  addressCandidates: "Several streets have this name. Choose yours:",
  districtOf: "{name} district",
  bookHere: "Book here",
  myClinic: "You are attached to: {name}",
  attachedTo: "The register says you are attached to: {name}.",
  bookThere: "Book there",
  address: "Address: street and house",
  addressHint: "As in Russian, e.g. Невский пр., 28 or Садовая 5к2",
  addressNoHouse: "Add the house number, e.g. Садовая 5.",
  addressStreetUnknown: "The street “{street}” is not in the register.",
  addressHouseUnknown: "There is no house {house} on “{street}” in the register. Check the house number.",
  addressDidYouMean: "Did you mean:",
  addressAnnounce: "Polyclinics found: {n}.",
  addressCandidatesAnnounce: "Streets found: {n}. Choose yours.",
  ticketLoading: "Loading the ticket…",
  cancelFor: "You are cancelling:",
  cancelNotFound: "No appointment with this policy number and series. Check the number and the series (only old policies have a series).",

  signInTitle: "Sign in",
  signInIntro: "Sign in with Gosuslugi: your details are filled in for you and your history keeps all your applications.",
  signInLocal: "Local stack: sign in as a demo patient by their policy number (see infra/demo/patients.json).",
  signInDo: "Sign in",
  signInGo: "Sign in with Gosuslugi",
  signInFailed: "Could not sign in: check the demo patient's policy number.",
  signedOut: "You have signed out.",

  notFoundTitle: "Page not found",
  notFoundText: "There is no such page. Start by choosing a district.",

  errors: {
    network: "No connection to the server. Check your internet connection and try again.",
    unknown: "Something went wrong. Please try again.",
  },
  errorActionAddress: "Find my polyclinic by address",
  errorActionMy: "History of applications",
  errorActionFix: "Correct the details",
  errorActionFixAddress: "Correct the address",
  errorActionOtherDoctor: "Choose another doctor",
  errorActionGp: "Book a GP or paediatrician",
  errorActionDoctors: "Other doctors of this specialty",
  errorActionHome: "Book without a referral",
  errorActionSignIn: "Sign in",
  errorActionTimes: "Back to the times",
};

// ---------------------------------------------------------------- the waiting list (web/views/waitlist.js)
Object.assign(RU, {
  waitTitle: "Сообщить, если появится время",
  waitLink: "Сообщить, если появится время",
  waitAnyLink: "Сообщить, если появится время у любого врача",
  waitIntro: "Если время освободится (например, кто-то отменит запись), мы напишем вам на почту и на 15 минут закрепим это время за вами. Записаться можно будет по ссылке из письма; время предлагается по очереди.",
  waitAnyDoctor: "Любой врач этой специальности",
  waitPeriod: "Когда вам удобно",
  waitFrom: "С какого дня",
  waitTo: "По какой день",
  waitEmailOpt: "Электронная почта (необязательно)",
  waitEmailHint: "Сюда придёт письмо со ссылкой на освободившееся время",
  waitSubmit: "Сообщить мне",
  waitSending: "Отправляем…",
  waitPastDate: "Выберите сегодняшний или более поздний день.",
  waitToBeforeFrom: "Последний день не может быть раньше первого.",
  waitDone: "Готово. Как только освободится подходящее время с {from} по {to}, мы напишем вам на почту и на 15 минут закрепим это время за вами — запишитесь по ссылке из письма.",
  waitDoneEmail: "Письмо придёт на {email}.",
  waitStop: "Не ждать",
  waitStopped: "Вы больше не ждёте свободное время: {what}.",
  waitPeriodText: "с {from} по {to}",
  waitStatus_waiting: "Ждём время",
  waitStatus_offered: "Время предложено",
  waitOfferedNote: "Мы отправили письмо со ссылкой: время {when} закреплено за вами до {until}.",
  myWaitTitle: "Ожидание свободного времени",
  offerTitle: "Освободилось время",
  offerIntro: "Это время закреплено за вами, пока идёт отсчёт. Потом его предложат следующему в очереди.",
  offerNoToken: "Ссылка неполная. Откройте ссылку из письма целиком.",
  offerBooked: "Вы уже записались на это время.",
  offerWaiting: "Вы в списке ожидания: мы напишем, как только освободится время.",
  offerWaitAgain: "Ждать другое время",
});
Object.assign(EN, {
  waitTitle: "Tell me when a time frees up",
  waitLink: "Tell me when a time frees up",
  waitAnyLink: "Tell me when any doctor has a free time",
  waitIntro: "If a time frees up (someone cancels, for example), we will email you and hold that time for you for 15 minutes. You book it with the link in the email; times are offered in turn.",
  waitAnyDoctor: "Any doctor of this specialty",
  waitPeriod: "When it suits you",
  waitFrom: "From",
  waitTo: "Until",
  waitEmailOpt: "Email (optional)",
  waitEmailHint: "The email with the link to the freed time is sent here",
  waitSubmit: "Notify me",
  waitSending: "Sending…",
  waitPastDate: "Choose today or a later day.",
  waitToBeforeFrom: "The last day cannot be before the first one.",
  waitDone: "Done. As soon as a suitable time frees up between {from} and {to}, we will email you and hold it for you for 15 minutes — book it with the link in the email.",
  waitDoneEmail: "The email goes to {email}.",
  waitStop: "Stop waiting",
  waitStopped: "You are no longer waiting for a time: {what}.",
  waitPeriodText: "{from} to {to}",
  waitStatus_waiting: "Waiting",
  waitStatus_offered: "Time offered",
  waitOfferedNote: "We have emailed you the link: {when} is held for you until {until}.",
  myWaitTitle: "Waiting for a free time",
  offerTitle: "A time has freed up",
  offerIntro: "This time is held for you while the countdown runs. Then it is offered to the next patient in line.",
  offerNoToken: "The link is incomplete. Open the whole link from the email.",
  offerBooked: "You have already booked this time.",
  offerWaiting: "You are on the waiting list: we will email you as soon as a time frees up.",
  offerWaitAgain: "Wait for another time",
});

// The family (issue 29: a parent books for a child, children's polyclinics) and the clinic's access to an
// appointment (issue 28), as the patient's pages say them (web/views/family.js and the views that use it).
Object.assign(RU, {
  familySelf: "(вы)",
  forWhomTitle: "Кого записать",
  formChildIntro: "Данные ребёнка взяты из регистра прикреплённого населения. Талон придёт на вашу почту.",
  bookingBy: "Записывает: {name}",
  bookedBy: "Записал(а)",
  myFamilyIntro: "Ваши заявления и заявления ваших детей, сначала новые.",
  clinicKind_children: "Детская поликлиника",
  clinicKind_both: "Для детей и взрослых",
  clinicsTitle_children: "Детские поликлиники района",
  clinicsTitle_adult: "Взрослые поликлиники района",
  clinicsAll: "Все поликлиники района",
  errorActionChildrenClinic: "Найти детскую поликлинику",
  errorActionAdultClinic: "Найти взрослую поликлинику",
  accessTitle: "Обращения поликлиники к записи: {n}",
  accessLine: "{who} {did} {day} в {time}",
  accessRole_receptionist: "Регистратура (регистратор)",
  accessRole_head: "Регистратура (заведующий регистратурой)",
  accessRole_city: "Городская служба записи (оператор)",
  accessRoleOther: "Поликлиника",
  "accessAction_daylist.read": "просматривала запись",
  "accessAction_attendance.mark": "отметила посещение",
  "accessAction_absence.record": "отменила приём: врач отсутствует",
  "accessAction_referral.issue": "выдала направление",
  "accessAction_attachment.change": "изменила прикрепление",
  "accessAction_representatives.change": "изменила список законных представителей",
  "accessAction_plan.publish": "изменила расписание врача",
  accessActionOther: "обращалась к записи",
});
Object.assign(EN, {
  familySelf: "(you)",
  forWhomTitle: "Who is the appointment for",
  formChildIntro: "The child's details come from the register of attached patients. The ticket is sent to your email.",
  bookingBy: "Booked by: {name}",
  bookedBy: "Booked by",
  myFamilyIntro: "Your applications and your children's, newest first.",
  clinicKind_children: "Children's polyclinic",
  clinicKind_both: "For children and adults",
  clinicsTitle_children: "The district's children's polyclinics",
  clinicsTitle_adult: "The district's adult polyclinics",
  clinicsAll: "All polyclinics of the district",
  errorActionChildrenClinic: "Find a children's polyclinic",
  errorActionAdultClinic: "Find an adult polyclinic",
  accessTitle: "The clinic's access to this appointment: {n}",
  accessLine: "{who} {did} on {day} at {time}",
  accessRole_receptionist: "The registry (a receptionist)",
  accessRole_head: "The registry (its head)",
  accessRole_city: "The city booking service (an operator)",
  accessRoleOther: "The clinic",
  "accessAction_daylist.read": "viewed the appointment",
  "accessAction_attendance.mark": "marked the attendance",
  "accessAction_absence.record": "cancelled the visit: the doctor is absent",
  "accessAction_referral.issue": "issued a referral",
  "accessAction_attachment.change": "changed the attachment",
  "accessAction_representatives.change": "changed the legal representatives",
  "accessAction_plan.publish": "changed the doctor's schedule",
  accessActionOther: "accessed the appointment",
});

const TEXTS = { ru: RU, en: EN };

/** Texts a module loaded on demand brings with it (web/registry.js: the staff pages). */
export function addTexts(ru, en) {
  Object.assign(RU, ru);
  Object.assign(EN, en);
}
const KEY = "zapis.lang";

let current = (() => {
  try {
    return localStorage.getItem(KEY) === "en" ? "en" : "ru";
  } catch {
    return "ru";
  }
})();

export function lang() {
  return current;
}

export function setLang(value) {
  current = value === "en" ? "en" : "ru";
  try {
    localStorage.setItem(KEY, current);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  document.documentElement.lang = current;
}

/** The text for `key`, with {placeholders} filled from `vars`. */
export function t(key, vars = {}) {
  const text = TEXTS[current][key] ?? TEXTS.ru[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** The message for an error code: the API's (web/errors.js), else the page's own, else "unknown". */
export function errorText(code) {
  for (const texts of [API_ERRORS[current], TEXTS[current].errors]) {
    if (Object.hasOwn(texts, code)) return texts[code];
  }
  return TEXTS[current].errors.unknown;
}

/** Every code with a message: the API's, then the page's own. */
export const ERROR_CODES = [...Object.keys(API_ERRORS.ru), ...Object.keys(RU.errors)];

// Dates and times are shown as the clinic sees them: the API sends ISO 8601 with the clinic's offset,
// so the local part of the string is the clinic's wall-clock time, whatever the browser's zone.
const MONTHS = {
  ru: ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"],
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
};
const WEEKDAYS = {
  ru: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
  en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
};
const WEEKDAYS_LONG = {
  ru: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
  en: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
};

export function weekday(isoDate, long = false) {
  const [y, m, d] = isoDate.slice(0, 10).split("-").map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return (long ? WEEKDAYS_LONG : WEEKDAYS)[current][wd];
}

export function formatDay(isoDate, withWeekday = true) {
  const [y, m, d] = isoDate.slice(0, 10).split("-").map(Number);
  const wd = withWeekday ? weekday(isoDate, true) : "";
  if (current === "en") return `${wd ? wd + ", " : ""}${d} ${MONTHS.en[m - 1]} ${y}`;
  return `${d} ${MONTHS.ru[m - 1]} ${y}${wd ? ", " + wd : ""}`;
}

export function formatShortDay(isoDate) {
  const [, m, d] = isoDate.slice(0, 10).split("-").map(Number);
  return current === "en" ? `${d} ${MONTHS.en[m - 1].slice(0, 3)}` : `${d} ${MONTHS.ru[m - 1].slice(0, 3)}`;
}

export function formatTime(iso) {
  return iso.slice(11, 16);
}

export function formatWhen(iso) {
  return `${formatDay(iso)}, ${formatTime(iso)}`;
}
