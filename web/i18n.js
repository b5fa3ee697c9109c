// Texts of the front-end in Russian (the default) and English. Every API error code has a message here,
// so the page never shows a bare code; "network" is the page's own code for a request that got no answer.

const RU = {
  appTitle: "Запись на приём к врачу",
  appSubtitle: "Городские поликлиники Санкт-Петербурга",
  skip: "Перейти к содержимому",
  navBook: "Записаться",
  navAddress: "Моя поликлиника по адресу",
  navAddressShort: "По адресу",
  navMy: "Мои записи",
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
  clinicsTitle: "Выберите поликлинику",
  specialtiesTitle: "Выберите специальность",
  doctorsTitle: "Выберите врача",
  freeSlots: "Свободно: {n}",
  noFreeSlots: "Нет свободного времени",
  nearest: "Ближайшее: {when}",
  referral: "Только по направлению",
  referralNote: "К этому специалисту записывают только по направлению терапевта или педиатра.",
  room: "Кабинет {room}",
  phone: "Телефон",
  workingHours: "Часы работы",

  calendarTitle: "Выберите дату и время",
  calendarDays: "Ближайшие 14 дней",
  calendarNone: "У этого врача нет свободного времени в ближайшие 14 дней. Выберите другого врача.",
  dayNone: "В этот день свободного времени нет.",
  slotsOn: "Свободное время {day}",
  slotsCount: "{n} своб.",
  holding: "Бронируем время…",

  formTitle: "Данные пациента",
  formIntro: "Проверьте время приёма и заполните данные, как в полисе ОМС.",
  whoTitle: "Кто записывается",
  whoIntro: "Время закрепляется за пациентом: укажите фамилию, дату рождения и полис ОМС, затем выберите время.",
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
  ticketMissing: "Этот талон не открыть по такой ссылке. Откройте ссылку из письма с талоном или найдите запись в разделе «Мои записи».",
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

  cancelTitle: "Отмена записи",
  cancelIntro: "Чтобы отменить запись, введите данные полиса ОМС, с которым вы записывались.",
  cancelSignedIntro: "Отменить запись по вашей учётной записи?",
  cancelDo: "Отменить запись",
  cancelling: "Отменяем…",
  cancelConfirm: "Отменить запись № {number} на {when}?",
  cancelYes: "Да, отменить",
  cancelNo: "Нет",
  cancelled: "Запись № {number} отменена. Время освобождено для других пациентов.",

  myTitle: "Мои записи",
  myIntro: "Найдите свои будущие записи по полису ОМС и дате рождения.",
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
    validation_error: "Проверьте введённые данные.",
    not_found: "Не найдено. Возможно, данные устарели — начните сначала.",
    slot_unavailable: "Это время только что заняли. Выберите другое время.",
    hold_expired: "Время, отведённое на оформление, истекло, и это время уже занято. Выберите другое.",
    hold_mismatch: "Бронь относится к другому времени. Выберите время снова.",
    already_booked_specialty: "У вас уже есть запись к врачу этой специальности. Отмените её в разделе «Мои записи», чтобы записаться снова.",
    patient_not_found: "Пациент не найден. Проверьте фамилию, дату рождения и номер полиса ОМС или обратитесь в регистратуру.",
    not_attached: "Вы не прикреплены к этой поликлинике. Узнайте свою поликлинику по адресу или обратитесь в регистратуру.",
    referral_required: "К этому специалисту записывают только по направлению. Обратитесь к терапевту или педиатру.",
    outside_booking_window: "Записаться можно только на ближайшие 14 дней и на время, которое ещё не наступило.",
    appointment_started: "Приём уже начался или прошёл — отменить запись нельзя.",
    already_cancelled: "Эта запись уже отменена.",
    idempotency_key_required: "Не удалось отправить запись. Повторите попытку.",
    idempotency_key_reused: "Запрос уже был отправлен с другими данными. Обновите страницу и повторите.",
    unauthorized: "Нужно войти в систему (или срок входа истёк).",
    forbidden: "Недостаточно прав для этого действия.",
    payload_too_large: "Слишком много данных в запросе. Проверьте введённые данные.",
    unsupported_media_type: "Не удалось отправить данные. Обновите страницу и повторите.",
    rate_limited: "Слишком много запросов. Подождите немного и повторите.",
    already_rescheduled: "Эта запись уже перенесена на другое время.",
    reschedule_mismatch: "Перенести можно только к врачу той же специальности в той же поликлинике.",
    appointment_not_started: "Приём ещё не начался: явку можно отметить после его начала.",
    attendance_already_recorded: "Явка по этой записи уже отмечена.",
    unavailable: "Сервис временно перегружен. Повторите попытку через несколько секунд.",
    address_not_found: "Адрес не найден в регистре. Проверьте улицу и номер дома или обратитесь в ближайшую поликлинику.",
    attachment_not_found: "Полис не найден среди прикреплённых. Проверьте номер и серию полиса или обратитесь в регистратуру поликлиники по месту жительства.",
    attachment_change_too_soon: "Сменить поликлинику по своему выбору можно не чаще одного раза в год (кроме смены места жительства).",
    already_attached: "Вы уже прикреплены к этой поликлинике.",
    network: "Нет связи с сервером. Проверьте подключение к интернету и повторите.",
    unknown: "Что-то пошло не так. Повторите попытку.",
  },
  errorActionAddress: "Найти поликлинику по адресу",
  errorActionMy: "Мои записи",
  errorActionSignIn: "Войти",
  errorActionTimes: "К выбору времени",
};

const EN = {
  appTitle: "Doctor appointments",
  appSubtitle: "St. Petersburg city polyclinics",
  skip: "Skip to content",
  navBook: "Book",
  navAddress: "Find my clinic by address",
  navAddressShort: "By address",
  navMy: "My appointments",
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
  clinicsTitle: "Choose a polyclinic",
  specialtiesTitle: "Choose a specialty",
  doctorsTitle: "Choose a doctor",
  freeSlots: "Free: {n}",
  noFreeSlots: "No free times",
  nearest: "Nearest: {when}",
  referral: "Referral only",
  referralNote: "This specialty takes appointments only with a referral from a GP or paediatrician.",
  room: "Room {room}",
  phone: "Phone",
  workingHours: "Opening hours",

  calendarTitle: "Choose a date and time",
  calendarDays: "The next 14 days",
  calendarNone: "This doctor has no free times in the next 14 days. Please choose another doctor.",
  dayNone: "No free times on this day.",
  slotsOn: "Free times on {day}",
  slotsCount: "{n} free",
  holding: "Holding the time…",

  formTitle: "Patient details",
  formIntro: "Check the appointment time and enter your details as on your OMS policy.",
  whoTitle: "Who is booking",
  whoIntro: "A time is held for one patient: enter the last name, birth date and OMS policy, then choose the time.",
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
  ticketMissing: "This link does not open the ticket. Use the link in the ticket email or find the appointment under “My appointments”.",
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
  cancelIntro: "To cancel, enter the OMS policy you booked with.",
  cancelSignedIntro: "Cancel this appointment of your account?",
  cancelDo: "Cancel the appointment",
  cancelling: "Cancelling…",
  cancelConfirm: "Cancel appointment No. {number} on {when}?",
  cancelYes: "Yes, cancel",
  cancelNo: "No",
  cancelled: "Appointment No. {number} is cancelled. The time is free for other patients.",

  myTitle: "My appointments",
  myIntro: "Find your upcoming appointments by OMS policy and date of birth.",
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
    validation_error: "Please check the data you entered.",
    not_found: "Not found. The data may be out of date — please start again.",
    slot_unavailable: "This time has just been taken. Please choose another time.",
    hold_expired: "Your time to complete the form ran out and this time has been taken. Please choose another.",
    hold_mismatch: "The hold belongs to another time. Please choose the time again.",
    already_booked_specialty: "You already have an appointment with this specialty. Cancel it under “My appointments” to book again.",
    patient_not_found: "Patient not found. Check your last name, date of birth and OMS policy number, or contact the registry.",
    not_attached: "You are not attached to this polyclinic. Find your polyclinic by address or contact the registry.",
    referral_required: "This specialty takes appointments by referral only. Please see your GP or paediatrician first.",
    outside_booking_window: "You can only book a time within the next 14 days that has not started yet.",
    appointment_started: "The appointment has started or passed and cannot be cancelled.",
    already_cancelled: "This appointment is already cancelled.",
    idempotency_key_required: "The booking could not be sent. Please try again.",
    idempotency_key_reused: "This request was already sent with other data. Reload the page and try again.",
    unauthorized: "Please sign in (or your sign-in has expired).",
    forbidden: "You are not allowed to do this.",
    payload_too_large: "The request holds too much data. Please check what you entered.",
    unsupported_media_type: "The data could not be sent. Please reload the page and try again.",
    rate_limited: "Too many requests. Please wait a moment and try again.",
    already_rescheduled: "This appointment has already been moved to another time.",
    reschedule_mismatch: "An appointment can only move to a doctor of the same specialty at the same polyclinic.",
    appointment_not_started: "The appointment has not started yet: attendance can be recorded once it starts.",
    attendance_already_recorded: "Attendance for this appointment has already been recorded.",
    unavailable: "The service is busy. Please try again in a few seconds.",
    address_not_found: "Address not found in the register. Check the street and house number or ask the nearest polyclinic.",
    attachment_not_found: "This policy is not attached to any polyclinic. Check the policy number and series or contact the registry of a polyclinic near your home.",
    attachment_change_too_soon: "A polyclinic can be changed by choice at most once a year (except after moving home).",
    already_attached: "You are already attached to this polyclinic.",
    network: "No connection to the server. Check your internet connection and try again.",
    unknown: "Something went wrong. Please try again.",
  },
  errorActionAddress: "Find my polyclinic by address",
  errorActionMy: "My appointments",
  errorActionSignIn: "Sign in",
  errorActionTimes: "Back to the times",
};

// ---------------------------------------------------------------- clinic staff pages (web/registry.js)
Object.assign(RU, {
  regTitle: "Регистратура", regClinic: "Поликлиника {clinic}.", regSignIn: "Войти", regClinicId: "Код поликлиники",
  regSignInIntro: "Вход для сотрудников регистратуры: работа только с данными своей поликлиники.",
  regDayTitle: "Записи на день", regDate: "Дата", regDoctorOptional: "Врач (код, необязательно)", regShow: "Показать",
  regDayEmpty: "На этот день записей нет.", regTime: "Время", regNumber: "Талон", regDoctor: "Врач", regRoom: "Кабинет",
  regPatient: "Пациент", regBirthDate: "Дата рождения", regStatus: "Статус", regAttendance: "Явка",
  regCame: "Пришёл", regNoShow: "Не пришёл", regStatus_booked: "записан", regStatus_cancelled: "отменена",
  regStatus_fulfilled: "пришёл", regStatus_noshow: "не пришёл",
  regPlanTitle: "Врач и график приёма", regDoctorId: "Код врача", regDoctorName: "ФИО врача", regSpecialty: "Специальность",
  regSlotMinutes: "Минут на приём", regWeek: "Дни и часы приёма", regFrom: "с", regTo: "по", regPublish: "Опубликовать",
  regWeekday1: "Пн", regWeekday2: "Вт", regWeekday3: "Ср", regWeekday4: "Чт", regWeekday5: "Пт", regWeekday6: "Сб", regWeekday7: "Вс",
  regPlanDone: "Опубликовано: новых слотов {created}, закрыто {closed}.",
  regConflicts: "Записи, которые не укладываются в новый график ({n}): решите, оставить их или отменить.",
  regAbsenceTitle: "Отсутствие врача", regReason: "Причина", regReason_sick: "болезнь", regReason_vacation: "отпуск",
  regReason_training: "обучение", regReason_other: "другое", regCheckAbsence: "Проверить",
  regAbsencePreview: "Будут отменены записи пациентов: {cancelled}; закрыто свободных слотов: {closed}. Пациенты получат письмо.",
  regConfirm: "Подтвердить отсутствие", regAbsenceDone: "Готово: отменено записей {cancelled}, закрыто слотов {closed}.",
});
Object.assign(RU.errors, {
  forbidden: "Нет доступа: можно работать только с данными своей поликлиники.",
  appointment_not_started: "Приём ещё не начался: явку можно отметить после его начала.",
  attendance_already_recorded: "Явка на этот приём уже отмечена.",
});
Object.assign(EN, {
  regTitle: "Registry", regClinic: "Polyclinic {clinic}.", regSignIn: "Sign in", regClinicId: "Polyclinic code",
  regSignInIntro: "Sign-in for registry staff: you work with your own polyclinic's data only.",
  regDayTitle: "Appointments of the day", regDate: "Date", regDoctorOptional: "Doctor (code, optional)", regShow: "Show",
  regDayEmpty: "No appointments on this day.", regTime: "Time", regNumber: "Ticket", regDoctor: "Doctor", regRoom: "Room",
  regPatient: "Patient", regBirthDate: "Birth date", regStatus: "Status", regAttendance: "Attendance",
  regCame: "Came", regNoShow: "No-show", regStatus_booked: "booked", regStatus_cancelled: "cancelled",
  regStatus_fulfilled: "came", regStatus_noshow: "no-show",
  regPlanTitle: "Doctor and working plan", regDoctorId: "Doctor code", regDoctorName: "Doctor's full name", regSpecialty: "Specialty",
  regSlotMinutes: "Minutes per appointment", regWeek: "Working days and hours", regFrom: "from", regTo: "to", regPublish: "Publish",
  regWeekday1: "Mon", regWeekday2: "Tue", regWeekday3: "Wed", regWeekday4: "Thu", regWeekday5: "Fri", regWeekday6: "Sat", regWeekday7: "Sun",
  regPlanDone: "Published: {created} new slots, {closed} closed.",
  regConflicts: "Appointments that do not fit the new plan ({n}): decide whether to keep or cancel them.",
  regAbsenceTitle: "Doctor's absence", regReason: "Reason", regReason_sick: "illness", regReason_vacation: "leave",
  regReason_training: "training", regReason_other: "other", regCheckAbsence: "Check",
  regAbsencePreview: "Patients' appointments to be cancelled: {cancelled}; free slots to be closed: {closed}. Patients will be emailed.",
  regConfirm: "Confirm the absence", regAbsenceDone: "Done: {cancelled} appointments cancelled, {closed} slots closed.",
});
Object.assign(EN.errors, {
  forbidden: "Access denied: you can work with your own polyclinic's data only.",
  appointment_not_started: "The appointment has not started yet: attendance can be recorded once it starts.",
  attendance_already_recorded: "Attendance for this appointment has already been recorded.",
});

const TEXTS = { ru: RU, en: EN };
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

export function errorText(code) {
  return TEXTS[current].errors[code] ?? TEXTS[current].errors.unknown;
}

export const ERROR_CODES = Object.keys(RU.errors);

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
