//! Interface language: Chinese first, English available.
//!
//! Every text on a page is a key looked up here. A key with no entry is shown as itself,
//! which a test catches (`every_key_used_in_the_code_has_both_languages`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(&self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Self {
        if code.trim().eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The value of the `lang` attribute of the page.
    pub fn html_lang(&self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(&self) -> Self {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// (key, Chinese, English).
const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "安全生产零申报系统", "Work-Safety Nil Filing"),
    ("app.city", "昆明市", "Kunming"),
    ("lang.switch", "English", "中文"),
    ("nav.home", "首页", "Home"),
    ("nav.password", "修改密码", "Change password"),
    ("nav.units", "单位管理", "Units"),
    ("nav.users", "用户管理", "Users"),
    ("nav.logout", "退出", "Log out"),
    ("nav.login", "登录", "Log in"),
    ("login.title", "用户登录", "Log in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.show_password", "显示密码", "Show password"),
    ("login.hide_password", "隐藏密码", "Hide password"),
    ("login.submit", "登录", "Log in"),
    ("login.hint", "请使用本单位分配的账号登录。", "Log in with the account your unit was given."),
    ("err.required", "此项必填。", "This field is required."),
    ("err.bad_credentials", "用户名或密码错误。", "Wrong username or password."),
    ("err.throttled", "登录失败次数过多，请稍后再试。可再次尝试的时间：", "Too many failed logins. You may try again at "),
    ("err.throttled_wait", "（还需等待 ", " (in "),
    ("err.throttled_wait_end", "）。", ")."),
    ("err.malformed", "请求无法识别，请返回页面重新填写后提交。", "The request could not be read. Please go back, fill in the form again and send it."),
    ("err.encoding", "提交的文字含有无法识别的字符（非 UTF-8 编码或空字符），请删除后重试。", "The text sent holds characters that cannot be read (not UTF-8, or a NUL character). Please remove them and try again."),
    ("err.too_many_fields", "提交的字段过多，请通过本系统的页面填写。", "Too many fields were sent. Please use the app's own pages."),
    ("err.too_slow", "提交的内容传输过慢，连接已超时，请检查网络后重试。", "What was sent arrived too slowly and the connection timed out. Please check the network and try again."),
    ("err.too_large", "提交的内容过大（上限 4 MB），请精简后重试。", "What was sent is too large (at most 4 MB). Please shorten it and try again."),
    ("err.media_type", "提交的格式不受支持，请通过本系统的页面填写。", "This kind of request is not supported. Please use the app's own pages."),
    ("err.superseded", "该单位已提交了更新的版本，此决定针对的是旧版本，未作任何更改。请刷新后审核最新版本。", "A newer version of this filing was submitted: the decision was about an old one and changed nothing. Reload and review the latest version."),
    ("err.unknown_field", "提交的表单含有本表没有的栏目，未保存。请刷新页面后重新填写。", "The form sent has fields this form does not have; nothing was saved. Reload the page and fill it in again."),
    ("err.answer_value", "只能选择“落实”或“不落实”。", "Choose 落实 (done) or 不落实 (not done)."),
    ("err.row_not_binding", "此项不适用于本单位，不能填写。", "This row does not apply to your unit and cannot be answered."),
    ("err.version", "版本号无效，请刷新页面后重试。", "The version is not valid. Reload the page and try again."),
    ("err.draft_hidden", "该单位正在填写草稿，尚未提交；提交后方可查看。", "The unit is working on a draft that is not submitted yet; it can be seen once submitted."),
    ("page.bad_request", "请求有误", "Bad request"),
    ("page.retry", "重试", "Try again"),
    ("page.go_back", "请用浏览器的“后退”回到上一页，或", "Use the browser's Back button to return, or go to"),
    ("err.password_too_short", "密码至少 8 位。", "The password must have at least 8 characters."),
    ("err.password_mismatch", "两次输入的新密码不一致。", "The two new passwords differ."),
    ("err.password_wrong", "当前密码不正确。", "The current password is wrong."),
    ("err.username_format", "用户名为 3–32 位字母、数字、点、横线或下划线。", "Usernames are 3–32 letters, digits, dots, dashes or underscores."),
    ("err.username_taken", "该用户名已被使用。", "This username is already taken."),
    ("err.unit_missing", "请选择单位。", "Choose a unit."),
    ("err.unit_unknown", "找不到该单位。", "No such unit."),
    ("err.role_unfit", "该角色不能属于此类单位。", "This role cannot belong to a unit of this kind."),
    ("err.kind_unknown", "请选择单位类型。", "Choose a kind of unit."),
    ("err.parent_unfit", "上级单位不符合此类单位的要求。", "The parent unit does not fit this kind of unit."),
    ("err.name_taken", "同一上级下已有同名单位。", "A unit of this name already exists under that parent."),
    ("err.industry_unknown", "请选择行业。", "Choose an industry."),
    ("err.headcount", "从业人数应为 0 到 1000000 之间的整数。", "Headcount must be a whole number from 0 to 1,000,000."),
    ("err.too_long", "内容过长。", "Too long."),
    ("nav.registry", "企业名录", "Registry"),
    ("registry.intro", "上传企业名录文件（XLSX，或 UTF-8、GBK 编码的 CSV），先检查，无误后一次性导入：按统一社会信用代码对应企业，重复导入不会改变任何内容，内容有变化的企业将被更新并记录。表头须含下列各列（* 为必填，顺序不限）：", "Upload the enterprise registry (XLSX, or CSV in UTF-8 or GBK): it is checked first, then imported all at once. Enterprises are matched by their unified social credit code: importing the same file again changes nothing; an enterprise whose row changed is updated, and the change recorded. The header must name these columns (* required, any order):"),
    ("registry.template", "下载模板", "Template"),
    ("registry.export", "导出现有名录", "Export the registry"),
    ("registry.file", "名录文件", "Registry file"),
    ("registry.check", "上传并检查", "Upload and check"),
    ("registry.err_empty", "请选择要上传的文件。", "Choose a file to upload."),
    ("registry.err_busy", "正在处理的名录文件过多，请稍后再试。", "Too many registry files are being processed; try again shortly."),
    ("registry.job", "检查与导入", "Check and import"),
    ("registry.checking", "正在检查文件……", "Checking the file…"),
    ("registry.summary", "共 {rows} 行：新增 {add} 家，更新 {update} 家，{unchanged} 家无变化。", "{rows} rows: {add} to add, {update} to update, {unchanged} unchanged."),
    ("registry.import", "确认导入", "Import"),
    ("registry.refused", "发现 {n} 处问题，未导入任何内容。请修改后重新上传。", "{n} problems found; nothing was imported. Correct the file and upload it again."),
    ("registry.more", "另有 {n} 处问题未列出。", "{n} more problems not listed."),
    ("registry.importing", "正在导入：已写入 {done} / {total} 家。", "Importing: {done} of {total} written."),
    ("registry.imported", "导入完成：共 {rows} 行，新增 {add} 家，更新 {update} 家，{unchanged} 家无变化。", "Imported: {rows} rows, {add} added, {update} updated, {unchanged} unchanged."),
    ("registry.changed", "检查后名录已有变动，现有 {n} 处问题，未导入任何内容。请重新上传检查。", "The registry changed after the check; {n} problems now, nothing imported. Upload the file again."),
    ("filing.attachments", "盖章扫描件", "Sealed copy"),
    ("filing.attach_hint", "打印本版本，加盖单位公章、签字后扫描上传（PDF、PNG 或 JPEG，不超过 10 MB）：", "Print this version, seal and sign it, scan it and upload it (PDF, PNG or JPEG, up to 10 MB):"),
    ("filing.attach", "上传", "Upload"),
    ("filing.attached", "扫描件已上传。", "The scan is uploaded."),
    ("err.attachment_type", "文件须为 PDF、PNG 或 JPEG（按文件内容判断，不看扩展名）。", "The file must be a PDF, PNG or JPEG (judged by its content, not its name)."),
    ("err.attachment_size", "文件不能超过 10 MB。", "The file may be at most 10 MB."),
    ("err.attachment_count", "每个版本最多上传 10 个附件。", "A version may have at most 10 attachments."),
    ("err.attachment_upload", "上传未完成，请重试。", "The upload did not complete; please try again."),
    ("import.no_header", "文件为空，或没有表头行。", "The file is empty or has no header line."),
    ("import.unknown_column", "表头中有模板以外的列", "The header has a column the template does not have"),
    ("import.missing_column", "缺少必需的列", "A required column is missing"),
    ("import.repeated_column", "表头中此列重复", "This column appears twice in the header"),
    ("import.too_many_rows", "行数超过 200000 行，请分文件导入。", "More than 200,000 rows: split the file."),
    ("import.encoding", "无法识别文件编码：请上传 XLSX，或另存为 UTF-8 或 GBK 编码的 CSV。", "The file's encoding is not recognised: upload XLSX, or save it as CSV in UTF-8 or GBK."),
    ("import.unreadable", "无法读取文件：请上传 XLSX 或 CSV 文件。", "The file cannot be read: upload an XLSX or CSV file."),
    ("import.required", "此项必填。", "Required."),
    ("import.too_long", "内容过长。", "Too long."),
    ("import.formula", "单元格含公式（或以 =、+、-、@ 开头），请填写数值本身。", "The cell holds a formula (or starts with =, +, -, @): enter the value itself."),
    ("import.code_format", "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。", "A unified social credit code is 18 digits or capitals (not I, O, S, V, Z)."),
    ("import.code_check", "统一社会信用代码校验位不符（GB 32100—2015），请核对。", "The credit code's check character is wrong (GB 32100-2015)."),
    ("import.headcount", "从业人员数应为 0 到 1000000 之间的整数。", "Headcount must be a whole number from 0 to 1,000,000."),
    ("import.unknown_county", "没有这个县（市、区）。", "No such county."),
    ("import.unknown_township", "该县（市、区）没有这个乡镇（街道）。", "The county has no such township."),
    ("import.unknown_industry", "行业不在 16 个行业之列。", "Not one of the 16 industries."),
    ("import.duplicate", "与前面的行重复", "Repeats an earlier line"),
    ("import.name_taken", "本县（市、区）已有同名单位。", "The county already has a unit of this name."),
    ("import.moved", "该信用代码的企业登记在其他县区、乡镇或行业：迁移单位不能通过导入办理。", "The code's enterprise is registered in another county, township or industry: a move is not made by an import."),
    ("import.merged", "该信用代码或名称的企业是已合并入另一企业的重复登记：请按合并后保留的企业填写。", "The code or name is a duplicate registration merged into another enterprise: give the enterprise kept."),
    ("import.extra_cells", "此行的单元格比表头多。", "The line has more cells than the header."),
    ("import.line", "第 {line} 行", "Line {line}"),
    ("err.invalid", "填写的内容无效。", "This value is not valid."),
    ("err.forbidden", "您无权进行此操作。", "You may not do this."),
    ("err.not_found", "找不到该页面或记录。", "Not found."),
    ("err.internal", "服务器出错，请稍后重试。已保存的内容不会丢失。", "Something went wrong on the server. Please try again; nothing saved is lost."),
    ("err.unavailable", "服务暂时不可用（数据库无法连接），请稍后再试。已保存的内容不会丢失。", "The service is unavailable for a moment (the database cannot be reached). Please try again shortly; nothing saved is lost."),
    ("err.transport", "网络连接失败，请重试。", "The request failed. Please try again."),
    ("err.unauthenticated", "请先登录。", "Please log in."),
    ("err.conflict", "操作与当前状态冲突。", "This conflicts with the current state."),
    ("ok.saved", "已保存。", "Saved."),
    ("ok.password_changed", "密码已修改。", "Password changed."),
    ("ok.unit_created", "单位已创建。", "Unit created."),
    ("ok.unit_life_saved", "日期已保存。", "Dates saved."),
    ("ok.unit_moved", "已变更。", "Moved."),
    ("ok.unit_merged", "已合并。", "Merged."),
    ("err.merge_self", "不能将单位合并入其自身。", "A unit cannot be merged into itself."),
    ("err.merge_not_enterprise", "只能合并两家生产经营单位（企业）。", "Only two enterprises can be merged."),
    ("err.merge_other_county", "只能合并入同一县（市、区）的企业；如企业已迁移，请先变更所在地。", "Only an enterprise of the same county can be chosen; if it moved, move it first."),
    ("err.merge_already_merged", "该单位已合并入另一单位。", "This unit was already merged into another."),
    ("err.merge_into_merged", "所选企业本身已合并入另一单位，请选择合并后保留的企业。", "The enterprise chosen was itself merged into another; choose the one kept."),
    ("err.merge_duplicate_filed", "本单位已就申报窗口尚未关闭的申报期提交了申报：这样合并，保留的企业须就本期重新申报（或同一企业本期有两份申报）。请反向合并（保留已申报的单位），或在该申报窗口关闭后再合并（各份申报各自保留）。", "This unit filed for a period whose window is still open: merged so, the enterprise kept would owe the period again (or one enterprise would have two filings). Merge the other way (keep the unit that filed), or after the window has closed (each filing is kept)."),
    ("err.merged_stays_closed", "该单位已作为重复登记合并入另一单位，须保留注销日期。", "This unit was merged into another as a duplicate registration; it keeps a closing date."),
    ("err.unit_merged", "本单位已作为重复登记合并入另一单位，不能再申报；请重新打开页面，以合并后保留的单位申报。", "Your unit was merged into another as a duplicate registration and files no more; reload the page and file for the unit kept."),
    ("err.closed_before_opened", "注销日期不能早于成立日期。", "The closing date cannot be before the opening date."),
    ("err.life_excludes_filing", "该单位已就这些日期之外的申报期提交过申报，不能这样修改。", "The unit has filed for a period these dates leave out; they cannot be set so."),
    ("err.unit_not_open", "本单位在该申报期内未存续（成立于申报窗口关闭之后，或注销于报告期开始之前），无需也不能就该期申报。", "Your unit was not open in this period (opened after its window closed, or closed before the period began): it neither owes nor may make a filing for it."),
    ("ok.user_created", "用户已创建。", "User created."),
    ("err.phone", "请填写手机号（11 位）或带区号的固定电话，如 0871-63123456。", "Enter a mobile number (11 digits) or a landline with area code, e.g. 0871-63123456."),
    ("err.row_unanswered", "请选择“落实”或“不落实”。", "Choose 落实 (done) or 不落实 (not done)."),
    ("err.explanation_short", "不落实的事项须说明缺什么、如何整改（至少 15 字）。", "Explain what is missing and the rectification plan (at least 15 characters)."),
    ("err.already_submitted", "本期已提交，不能再修改；如需更正请新建版本。", "This filing is submitted and cannot change; start a new version to correct it."),
    ("err.already_accepted", "本期申报已被受理，不能再修改。", "This filing was accepted and cannot change."),
    ("err.window_closed", "申报期已结束，未经上级批准补报不能申报。", "The filing window has closed; filing now needs a late-filing exception from your supervisor."),
    ("err.period_unknown", "请选择申报期。", "Choose a period."),
    ("err.reason_short", "请写明补报原因。", "Give the reason for the late filing."),
    ("err.date", "请按 年-月-日 填写日期，如 2027-01-20。", "Enter a date as YYYY-MM-DD, e.g. 2027-01-20."),
    ("err.date_past", "截止日期须在今天或以后。", "The date must be today or later."),
    ("err.window_not_closed", "该申报期尚未结束，无需补报。", "That window has not closed: no exception is needed."),
    ("ok.filing_saved", "草稿已保存。", "Draft saved."),
    ("ok.submitted", "已提交。", "Submitted."),
    ("ok.already_submitted", "本期申报此前已提交，未重复提交。", "This filing had already been submitted; nothing was submitted twice."),
    ("ok.exception_granted", "已批准补报。", "Late filing granted."),
    ("nav.filing", "零申报", "Nil filing"),
    ("nav.exceptions", "补报审批", "Late filings"),
    ("filing.title", "零申报表", "Nil-filing forms"),
    ("filing.unit", "申报单位", "Filing unit"),
    ("filing.period", "申报期", "Period"),
    ("filing.status", "状态", "Status"),
    ("filing.version", "版本", "Version"),
    ("filing.late", "补报（逾期）", "late"),
    ("filing.nil", "零申报（全部落实）", "nil filing (all done)"),
    ("filing.with_unmet", "有不落实事项", "with unmet items"),
    ("filing.progress", "已填", "Answered"),
    ("filing.of", "项，共", " of "),
    ("filing.items", "项", " rows"),
    ("filing.unmet", "不落实", "not done"),
    ("filing.complete", "已填完", "complete"),
    ("filing.not_started", "未填", "not started"),
    ("filing.in_progress", "填写中", "in progress"),
    ("filing.not_applicable", "不适用于本单位", "does not apply to your unit"),
    ("filing.explain", "不落实说明（缺什么、如何整改）", "Explanation (what is missing, how it will be rectified)"),
    ("filing.note", "申报说明", "Filing explanation"),
    ("filing.date_auto", "提交时由系统填写", "set by the system on submission"),
    ("filing.save", "保存草稿", "Save draft"),
    ("filing.review", "检查并提交…", "Check and submit…"),
    ("filing.print", "打印九张表", "Print the nine forms"),
    ("filing.revise", "更正（新建版本）", "Correct (new version)"),
    ("filing.versions", "历次版本", "Versions"),
    ("filing.read_only", "只读", "read-only"),
    ("filing.open_until", "申报窗口开放至", "The window is open until"),
    ("filing.late_until", "已批准补报，截止", "Late filing allowed until"),
    ("filing.not_yet_open", "本期申报窗口尚未开放，开放时间：", "This window has not opened yet; it opens at"),
    ("filing.not_open", "本单位在该申报期内未存续，无需也不能申报。", "Your unit was not open in this period: nothing is owed, and no filing can be made for it."),
    ("filing.closed", "本期申报窗口已关闭。未申报的单位须经上级批准方可补报。", "This window has closed. A unit that has not filed needs its supervisor's late-filing exception."),
    ("filing.confirm_title", "确认提交", "Confirm submission"),
    ("filing.confirm_nil", "本次为零申报：所有适用事项均已落实。", "This is a nil filing: every applicable item is done."),
    ("filing.confirm_unmet", "本次申报有以下不落实事项：", "This filing has these unmet items:"),
    ("filing.confirm_note", "提交后不能修改；如需更正须新建版本。", "Once submitted it cannot change; a correction is a new version."),
    ("filing.confirm_submit", "确认提交", "Submit"),
    ("filing.back", "返回修改", "Back to the forms"),
    ("filing.status_draft", "草稿", "draft"),
    ("filing.status_submitted", "已提交", "submitted"),
    ("filing.status_returned", "已退回", "returned"),
    ("filing.status_accepted", "已受理", "accepted"),
    ("filing.status_none", "尚未填写", "not started"),
    ("filing.none_for_role", "您的角色不直接填报零申报表。", "Your role does not fill in nil-filing forms itself."),
    ("exc.title", "补报审批", "Late-filing exceptions"),
    ("exc.unit", "单位", "Unit"),
    ("exc.period", "申报期", "Period"),
    ("exc.reason", "补报原因", "Reason"),
    ("exc.until", "补报截止日期（年-月-日）", "Allowed until (YYYY-MM-DD)"),
    ("exc.grant", "批准补报", "Grant"),
    ("exc.granted_by", "批准人", "Granted by"),
    ("exc.granted_at", "批准时间", "Granted at"),
    ("exc.list", "已批准的补报", "Granted exceptions"),
    ("form.principal", "申报单位主要负责人", "Principal of the filing unit"),
    ("form.leader_in_charge", "申报单位分管领导", "Leader in charge"),
    ("form.filled_by", "填表人", "Filled in by"),
    ("form.reviewed_by", "审核人", "Reviewed by"),
    ("form.phone", "联系电话", "Contact phone"),
    ("err.return_reason", "退回须写明原因（至少 4 字）。", "Give the reason for returning (at least 4 characters)."),
    ("err.not_awaiting_review", "该申报不在待审状态（可能已被处理）。", "This filing is not awaiting review (it may have been decided already)."),
    ("err.decision", "请选择受理或退回。", "Choose accept or return."),
    ("ok.reviewed", "已处理。", "Done."),
    ("nav.review", "审核", "Review"),
    ("esc.attach_hint", "回复或整改报告盖章签字后扫描上传（PDF、PNG 或 JPEG，不超过 10 MB）：", "Seal and sign the reply or report, scan it and upload it (PDF, PNG or JPEG, up to 10 MB):"),
    ("filing.paper_title", "纸质申报代填", "Enter a filing from paper"),
    ("filing.paper_link", "从纸质表代填", "Enter from the paper form"),
    ("filing.paper_hint", "按单位盖章签字的纸质零申报表逐项录入并提交；以纸质表上的申报时间判断是否按时申报。", "Type in the unit's sealed, signed paper forms row by row and submit them; the date on the paper decides whether it was filed on time."),
    ("filing.paper_date", "申报时间（纸质表上所填日期）", "Filing date (as written on the paper form)"),
    ("filing.paper_submit", "录入并提交", "Enter and submit"),
    ("filing.paper_filed", "该单位本期已申报，无需代填；如需更正，由单位新建版本。", "This unit has filed for the period: nothing to enter. A correction is a new version made by the unit."),
    ("filing.paper_entered_by", "纸质申报，代填人：", "Filed on paper, entered by"),
    ("filing.paper_on", "纸质表日期：", "paper dated"),
    ("filing.paper_badge", "纸质代填", "entered from paper"),
    ("filing.paper_units", "选择要代填的单位", "Choose the unit whose paper form you enter"),
    ("ok.paper_entered", "纸质申报已录入并提交。", "The paper filing is entered and submitted."),
    ("err.paper_date_future", "纸质表日期不能晚于今天。", "The paper's date cannot be after today."),
    ("err.paper_date_early", "纸质表日期不能早于本期结束（不早于申报窗口首日）。", "The paper's date cannot be before the period ends (the window's first day at the earliest)."),
    ("nav.paper", "纸质代填", "Paper filings"),
    ("filing.amend", "申报已被退回：请修改后重新提交（不因退回而记为逾期）。", "The filing was returned: amend and resubmit it (a return does not make it late)."),
    ("review.title", "零申报审核", "Review of filings"),
    ("review.returned_with", "已退回", "Returned"),
    ("review.accepted_at", "已受理", "Accepted"),
    ("review.accept", "受理", "Accept"),
    ("review.return", "退回", "Return"),
    ("review.reason", "退回原因", "Reason for returning"),
    ("review.view", "查看", "View"),
    ("review.empty", "没有符合条件的申报。", "No filings match."),
    ("review.submitted_at", "提交时间", "Submitted"),
    ("review.nil_any", "全部", "All"),
    ("review.nil_only", "零申报", "Nil"),
    ("review.unmet_only", "有不落实事项", "With unmet items"),
    ("nav.rollup", "汇总", "Roll-up"),
    ("rollup.title", "零申报汇总", "Roll-up of filings"),
    ("rollup.expected", "应报", "Expected"),
    ("rollup.on_time", "按时已报", "Filed on time"),
    ("rollup.late", "逾期补报", "Filed late"),
    ("rollup.missing", "未报", "Missing"),
    ("rollup.returned", "已退回", "Returned"),
    ("rollup.accepted", "已受理", "Accepted"),
    ("rollup.nil", "零申报", "Nil filings"),
    ("rollup.with_unmet", "有不落实事项", "With unmet items"),
    ("rollup.change_note", "括号内为与上一申报期相比的变化：", "In brackets: the change from the previous period,"),
    ("rollup.completeness", "各单位报送完成率", "Completeness by unit"),
    ("rollup.unmet_by_form", "不落实事项（按表）", "Unmet items by form"),
    ("rollup.row", "事项", "Row"),
    ("rollup.count", "数量", "Count"),
    ("export.label", "导出", "Export"),
    ("review.untrue", "与事实不符", "Does not match the facts"),
    ("nav.escalations", "警示", "Escalations"),
    ("nav.inbox", "通知", "Notices"),
    ("nav.notices", "条待处理", "waiting"),
    ("home.notices", "需要您处理的事项", "What needs you today"),
    ("esc.title", "安全生产警示", "Work-safety escalations"),
    ("esc.document", "警示文书", "Escalation document"),
    ("esc.status_proposed", "建议（待决定）", "Proposed"),
    ("esc.status_dismissed", "已驳回建议", "Dismissed"),
    ("esc.status_issued", "已发出", "Issued"),
    ("esc.status_closed", "已办结", "Closed"),
    ("esc.reply_none", "—", "—"),
    ("esc.reply_awaiting", "待答复", "Awaiting reply"),
    ("esc.reply_overdue", "逾期未答复", "Reply overdue"),
    ("esc.reply_review", "待审核答复", "Reply to decide"),
    ("esc.reply_answered", "已答复", "Answered"),
    ("esc.weighs", "依据申报期：", "Weighing the period:"),
    ("esc.last_run", "最近生成建议：", "Proposals last worked out:"),
    ("esc.run", "立即生成警示建议", "Work out proposals now"),
    ("esc.proposals_waiting", "待决定的建议", "Proposals waiting"),
    ("esc.responses_to_decide", "待审核的答复和整改报告", "Replies and reports to decide"),
    ("esc.overdue", "逾期未答复", "Overdue replies"),
    ("esc.by_county", "在办警示（按县（市）区）", "Open escalations by county"),
    ("esc.longest", "警示层级最高、持续最久的单位", "Units with the longest open ladder"),
    ("esc.highest", "最高警示", "Highest rung"),
    ("esc.open_count", "在办数", "Open"),
    ("esc.days_open", "持续天数", "Days open"),
    ("esc.brief", "专报材料", "Special report brief"),
    ("esc.proposals", "系统建议的警示", "Proposed escalations"),
    ("esc.no_proposals", "目前没有待决定的建议。", "No proposals are waiting."),
    ("esc.issued", "已发出的警示", "Issued escalations"),
    ("esc.rung", "警示措施", "Rung"),
    ("esc.severity", "警示级别", "Severity"),
    ("esc.manual", "直接发出警示", "Issue an escalation by hand"),
    ("esc.target", "警示对象", "Target"),
    ("esc.reasons", "警示事由", "Reasons"),
    ("esc.measures", "整改要求", "Required measures"),
    ("esc.reply_due", "答复期限", "Reply due"),
    ("esc.report_due", "整改报告期限", "Rectification report due"),
    ("esc.due_hint", "告诫的整改报告期限为发出之日起15日（第九条），专报无需答复；其他措施不填则为15日。", "An admonition's report is due 15 days after issue (Article 9); a special report asks no reply; otherwise 15 days unless you choose a date."),
    ("esc.issue", "发出", "Issue"),
    ("esc.dismiss_reason", "驳回理由", "Reason for dismissing"),
    ("esc.dismiss", "驳回建议", "Dismiss"),
    ("esc.none", "没有警示。", "No escalations."),
    ("esc.number", "文号", "Number"),
    ("esc.issued_at", "发出时间", "Issued"),
    ("esc.reply", "答复", "Reply"),
    ("esc.evidence", "依据", "Evidence"),
    ("esc.trail", "办理过程", "Trail"),
    ("esc.proposed", "系统建议", "proposed by the system"),
    ("esc.acknowledged", "已签收", "acknowledged"),
    ("esc.report", "整改报告", "rectification report"),
    ("esc.accepted", "已备案（接受）", "accepted"),
    ("esc.more_requested", "要求补充：", "more requested:"),
    ("esc.acknowledge", "签收", "Acknowledge"),
    ("esc.report_body", "整改报告：采取的措施和落实情况（第九条）", "Rectification report: measures taken and results (Article 9)"),
    ("esc.reply_body", "答复：落实情况", "Reply: what has been done"),
    ("esc.send_report", "报送整改报告", "File the report"),
    ("esc.send_reply", "报送答复", "Send the reply"),
    ("esc.accept_report", "接受整改报告（备案）", "Accept the report"),
    ("esc.accept_reply", "接受答复", "Accept the reply"),
    ("esc.more_note", "需补充的内容", "What more is needed"),
    ("esc.ask_more", "要求补充", "Ask for more"),
    ("esc.close_reason", "办结理由", "Reason for closing"),
    ("esc.lift", "解除公开", "Lift the disclosure"),
    ("esc.close", "办结", "Close"),
    ("esc.accident", "登记事故", "Record an accident"),
    ("esc.accident_hint", "一次较大事故，或一个月内两起以上一般事故，系统将建议告诫（第六条）。", "One larger accident, or two or more ordinary accidents within a month, lead to a proposed admonition (Article 6)."),
    ("esc.accident_date", "发生日期", "Date"),
    ("esc.accident_larger", "较大及以上事故", "Larger accident or worse"),
    ("esc.accident_description", "事故简况", "What happened"),
    ("esc.accident_record", "登记", "Record"),
    ("ok.esc_issued", "警示已发出。", "The escalation was issued."),
    ("ok.esc_dismissed", "建议已驳回。", "The proposal was dismissed."),
    ("ok.esc_proposals", "警示建议已生成。", "Proposals worked out."),
    ("ok.accident", "事故已登记。", "The accident was recorded."),
    ("ok.esc_acknowledged", "已签收。", "Acknowledged."),
    ("ok.esc_responded", "已报送。", "Sent."),
    ("ok.esc_decided", "已处理。", "Decided."),
    ("ok.esc_closed", "已办结。", "Closed."),
    ("notice.new", "收到新的警示", "New escalation"),
    ("notice.window_open", "零申报已开始：", "Filing window open:"),
    ("notice.window_closing", "零申报即将截止：", "Filing window closing:"),
    ("notice.report_due", "整改报告即将到期：", "Rectification report due soon:"),
    ("notice.until", "截止", "until"),
    ("notice.returned", "申报被退回，请修改后重新报送：", "A filing was returned; amend and resubmit:"),
    ("inbox.title", "通知与警示", "Notices and escalations"),
    ("inbox.no_notices", "目前没有待办事项。", "Nothing needs you now."),
    ("inbox.escalations", "收到的警示", "Escalations received"),
    ("public.title", "安全生产警示公开", "Work-safety public disclosure"),
    ("public.intro", "依照《昆明市安全生产警示管理办法（试行）》第七条，对下列单位予以公开；整改到位、经发出单位解除后不再公开。", "Under Article 7 of Kunming's work-safety alert measures these units are disclosed; a unit is removed once the issuer lifts the disclosure."),
    ("public.none", "目前没有公开的单位。", "No unit is under public disclosure."),
    ("brief.title", "安全生产警示专报", "Special report brief"),
    ("err.try_again", "有人同时在操作，请刷新后重试。", "Someone else changed this at the same moment; reload and try again."),
    ("err.reply_due_past", "答复期限须晚于今天。", "The reply date must be after today."),
    ("err.esc_reasons", "请写明警示事由。", "Give the reasons."),
    ("err.esc_not_proposed", "该建议已处理。", "This proposal has already been decided."),
    ("err.dismiss_reason", "驳回须写明理由。", "Give a reason for dismissing."),
    ("err.esc_rung", "请选择警示措施。", "Choose a rung."),
    ("err.esc_target", "请选择警示对象。", "Choose a target."),
    ("err.esc_not_open", "该警示已办结或尚未发出。", "This escalation is not open."),
    ("err.esc_no_reply", "专报无需答复。", "A special report asks no reply."),
    ("err.esc_body", "请写明采取的措施和落实情况（至少10个字）。", "Describe the measures taken (at least 10 characters)."),
    ("err.esc_pending", "已有待审核的答复。", "A reply is already waiting for a decision."),
    ("err.esc_more_note", "请写明需要补充的内容。", "Say what more is needed."),
    ("err.esc_nothing_pending", "没有待审核的答复。", "No reply is waiting."),
    ("err.esc_close_reason", "请写明办结理由。", "Give a reason for closing."),
    ("err.date_future", "日期不能晚于今天。", "The date cannot be in the future."),
    ("err.accident_description", "请简述事故情况。", "Describe the accident."),
    ("export.rollup", "汇总", "Counts"),
    ("export.units", "单位明细", "Units"),
    ("export.filings", "申报明细", "Filings"),
    ("export.trend", "趋势", "Trend"),
    ("rollup.crumbs", "层级", "Levels"),
    ("rollup.own_filing", "本级申报", "Own nine forms"),
    ("rollup.view_forms", "查看申报表", "View the forms"),
    ("rollup.counties", "各县（市）区", "Counties"),
    ("rollup.children", "下级部门和乡镇（街道）", "Departments and townships"),
    ("rollup.filed", "已报", "Filed"),
    ("rollup.items", "不落实事项", "Unmet items"),
    ("rollup.summary", "汇总上报", "Summary filed upward"),
    ("rollup.summary_none", "本期尚未上报汇总。", "No summary filed for this period yet."),
    ("rollup.summary_none_short", "未上报", "Not filed"),
    ("rollup.summary_hint", "汇总根据已受理的申报生成，连同本单位的九张申报表一并上报上级安委办；可重复上报，保留每一版。", "The summary is built from the accepted filings and goes to the office above with your own nine forms; filing again keeps every version."),
    ("rollup.remarks", "情况说明", "Remarks"),
    ("rollup.file_summary", "上报汇总", "File the summary"),
    ("rollup.units", "单位明细", "Units"),
    ("rollup.no_units", "没有应报单位。", "No units are expected to file."),
    ("rollup.group", "分组", "Group"),
    ("rollup.unmet_rows", "不落实事项及说明", "Unmet items and explanations"),
    ("rollup.row_detail", "该项不落实的单位及说明：", "Units answering not done, with explanations:"),
    ("rollup.explanation", "说明", "Explanation"),
    ("rollup.trend", "历次申报趋势", "Trend across periods"),
    ("rollup.trend_legend", "柱：报送率；折线：不落实事项数", "Columns: share filed; line: unmet items"),
    ("rollup.unmet_by_industry", "不落实事项（按行业）", "Unmet items by industry"),
    ("rollup.drill", "下钻", "Drill down"),
    ("nav.report", "全市报告", "City report"),
    ("report.title", "全市零申报工作情况报告", "City report"),
    ("report.print", "打印", "Print"),
    ("ok.summary_filed", "汇总已上报。", "The summary was filed."),
    ("err.summary_too_early", "本期申报尚未开始，不能上报汇总。", "This period's window has not opened; no summary can be filed yet."),
    ("history.title", "申报历史", "History"),
    ("history.when", "时间", "When"),
    ("history.who", "操作人", "Who"),
    ("history.what", "操作", "What"),
    ("history.change", "变更内容", "Change"),
    ("history.versions", "各版本对照", "Versions side by side"),
    ("review.history", "历史", "History"),
    ("home.title", "工作台", "Dashboard"),
    ("home.window_open", "申报窗口已开放", "The filing window is open"),
    ("home.window_closed", "当前不在申报期", "No filing window is open"),
    ("home.period", "申报期", "Period"),
    ("home.closes_in", "距截止还有", "Closes in"),
    ("home.opens_in", "距下次开放还有", "Opens in"),
    ("home.window_dates", "申报时间", "Filing dates"),
    ("home.last_window", "上一申报期", "Last window"),
    ("home.owes", "本单位应报事项", "What your unit owes"),
    ("home.own_forms", "本单位九张零申报表", "Your unit's nine nil-filing forms"),
    ("home.due", "截止时间", "Due"),
    ("home.file_to", "报送至", "File to"),
    ("home.no_supervisor", "本县（市）区没有监管本行业的部门：这是监管盲区，请联系县（市）区安委办。", "No department in your county supervises your industry: a gap in coverage. Contact your county safety committee office."),
    ("home.expected_below", "下级应报单位", "Units below you that must file"),
    ("home.enterprises", "企业", "Enterprises"),
    ("home.departments", "监管部门", "Departments"),
    ("home.townships", "乡镇（街道）", "Townships"),
    ("home.counties", "县（市）区、管委会", "County-level areas"),
    ("home.users", "用户", "Users"),
    ("home.units", "单位", "Units"),
    ("home.industries", "监管行业", "Industries supervised"),
    ("home.fixed_clock", "演练时钟：系统时间固定为", "Drill clock: the system's time is fixed at"),
    ("unit.name", "单位名称", "Unit name"),
    ("unit.kind", "单位类型", "Kind"),
    ("unit.parent", "上级单位", "Parent unit"),
    ("unit.county", "所在县（市）区", "County-level area"),
    ("unit.township", "所在乡镇（街道）", "Township"),
    ("unit.industry", "行业", "Industry"),
    ("unit.industries", "监管行业", "Industries supervised"),
    ("unit.address", "地址", "Address"),
    ("unit.legal_rep", "法定代表人", "Legal representative"),
    ("unit.headcount", "从业人数", "Headcount"),
    ("unit.create", "新建单位", "New unit"),
    ("unit.list", "单位列表", "Units"),
    ("unit.filter", "筛选", "Filter"),
    ("unit.all", "全部", "All"),
    ("unit.none", "（无）", "(none)"),
    ("unit.city_level", "市级", "city level"),
    ("unit.opened_on", "成立日期", "Opened on"),
    ("unit.closed_on", "注销日期", "Closed on"),
    ("unit.closed_on_hint", "注销日期（仍存续的不填）", "Closed on (empty while open)"),
    ("unit.still_open", "存续", "open"),
    ("unit.life_title", "成立与注销日期", "Opening and closing dates"),
    ("unit.life_save", "保存日期", "Save dates"),
    ("unit.life_rule", "单位在某申报期的报告期首日至申报窗口最后一日之间存续过的，须就该期申报；成立于窗口关闭之后或注销于报告期开始之前的，不计入应报，也不能申报。", "A unit files for a period when it was open on some day from the first day the period reports on to the last day of its window; one opened after the window closed, or closed before the period began, is not expected and cannot file."),
    ("unit.back", "返回单位列表", "Back to the units"),
    ("merge.title", "合并重复登记的企业", "Merge a duplicate enterprise"),
    ("merge.into", "合并入（保留的企业）", "Merge into (the enterprise kept)"),
    ("merge.save", "合并", "Merge"),
    ("merge.rule", "同一企业被重复登记时，将本单位合并入同一县（市、区）中保留的企业：本单位的申报、审核、警示和操作记录全部保留；本单位自合并之日起注销，此后的申报期不再计入应报；其账号转到保留的企业；保留的企业如无统一社会信用代码，则取用本单位的代码。合并不能撤销。", "When one enterprise was registered twice, merge this unit into the one kept, of the same county: this unit's filings, reviews, escalations and records all stay; it closes as of the merge and is expected for no later period; its accounts move to the enterprise kept, which takes its unified social credit code if it has none. A merge cannot be undone."),
    ("merge.merged_into", "本单位为重复登记，已于 {date} 合并入：", "This unit was a duplicate registration, merged on {date} into:"),
    ("merge.merged_from", "于 {date} 合并入本单位的重复登记单位：", "Duplicate registration merged into this unit on {date}:"),
    ("merge.history_merged_into", "本单位为重复登记，已于 {date} 合并入另一单位，后续记录见：", "This unit was a duplicate registration, merged on {date} into another; its later records are under:"),
    ("merge.history_duplicate", "重复登记单位的记录（已合并入本单位）", "Records of a duplicate registration (merged into this unit)"),
    ("merge.history_merged_on", "{date} 合并", "merged on {date}"),
    ("merge.history_open", "打开该单位的申报历史", "Open that unit's history"),
    ("unit.move_title", "变更所在地或行业", "Move to another place or industry"),
    ("unit.move_save", "变更", "Move"),
    ("unit.move_rule", "变更前已申报的申报期，以及申报窗口已关闭的申报期，仍归原所在地和行业汇总、审核；此后的申报期随单位变更。", "Periods already filed for, and those whose window has closed, stay with the old place and industry (their roll-ups and review); later periods go with the unit."),
    ("user.username", "用户名", "Username"),
    ("user.display_name", "姓名", "Name"),
    ("user.unit", "所属单位", "Unit"),
    ("user.role", "角色", "Role"),
    ("user.password", "初始密码", "Initial password"),
    ("user.create", "新建用户", "New user"),
    ("user.list", "用户列表", "Users"),
    ("pw.title", "修改密码", "Change password"),
    ("pw.current", "当前密码", "Current password"),
    ("pw.new", "新密码", "New password"),
    ("pw.repeat", "再次输入新密码", "New password again"),
    ("pw.submit", "修改", "Change"),
    ("form.submit", "提交", "Submit"),
    ("form.create", "创建", "Create"),
    ("time.days", "天", " d "),
    ("time.hours", "小时", " h "),
    ("time.minutes", "分", " min "),
    ("time.seconds", "秒", " s"),
    ("page.not_found", "页面不存在", "Page not found"),
    ("registry.orgs", "乡镇（街道）和部门用另一张表导入，列为：单位名称、单位类型（乡镇、街道或部门）、所属县（市、区）（市级部门留空）、监管行业（部门填写，多个用“、”分隔）。机构名录模板", "Townships and departments come in a file of their own, with the columns name, kind (township or department), county (empty for a city-level department) and industries (a department's, separated by 、). Template"),
    ("import.unknown_kind", "单位类型应为“乡镇”“街道”或“部门”。", "The kind must be township or department."),
    ("import.industries_township", "乡镇（街道）不填写监管行业。", "A township has no industries."),
    ("nav.tokens", "接口令牌", "API tokens"),
    ("token.intro", "其他系统通过开放接口（/api/v1，说明见 /api/docs/）读取和报送数据。为某一账号创建令牌：令牌只能看到该账号在页面上能看到的单位和数据，并只能做所选权限内的事；每次调用都记入审计日志。令牌只在创建时显示一次，请立即复制保存。", "Other systems read and send data through the open API (/api/v1, documented at /api/docs/). Make a token for an account: it sees only the units and data that account's pages show, does only what its scopes allow, and every call is recorded in the audit trail. A token is shown once, when made: copy it now."),
    ("token.new", "创建令牌", "Make a token"),
    ("token.name", "用途", "Used for"),
    ("token.user", "账号", "Account"),
    ("token.scopes", "权限", "Scopes"),
    ("token.days", "有效天数（1–366）", "Days valid (1–366)"),
    ("token.created", "令牌已创建。它只显示这一次，请复制后交给对方系统：", "The token is made. It is shown this once: copy it and hand it to the other system:"),
    ("token.list", "令牌", "Tokens"),
    ("token.none", "尚无令牌。", "No tokens yet."),
    ("token.state", "状态", "State"),
    ("token.active", "有效", "active"),
    ("token.expired", "已过期", "expired"),
    ("token.revoked", "已吊销", "revoked"),
    ("token.expires", "到期", "Expires"),
    ("token.last_used", "最近使用", "Last used"),
    ("token.revoke", "吊销", "Revoke"),
    ("token.err_scopes", "请至少选择一项权限。", "Choose at least one scope."),
    ("token.err_days", "有效天数须为 1 至 366 之间的整数。", "Days valid must be a whole number from 1 to 366."),
    ("token.err_user", "该账号不存在。", "There is no such account."),
    ("api.err_limit", "每页条数须为 1 至 1000 之间的整数。", "limit must be a whole number from 1 to 1000."),
    ("api.err_fields", "请求中有内容需要更正，见各字段的说明。", "Some values need correcting: see each field."),
];

/// The text of `key` in `lang`; the key itself when it has no entry.
pub fn t(lang: Lang, key: &str) -> &str {
    if let Some(r) = ladder_refusal(key) {
        return match lang {
            Lang::Zh => r.message_zh(),
            Lang::En => r.message_en(),
        };
    }
    match MESSAGES.iter().find(|(k, _, _)| *k == key) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => key,
    }
}

/// The refusals of the escalation ladder carry their texts with them (`err.ladder_*`).
fn ladder_refusal(key: &str) -> Option<crate::domain::ladder::IssueRefusal> {
    crate::domain::ladder::IssueRefusal::ALL
        .into_iter()
        .find(|r| r.message_key() == key)
}

/// Whether `key` has an entry (used by tests).
pub fn has(key: &str) -> bool {
    ladder_refusal(key).is_some() || MESSAGES.iter().any(|(k, _, _)| *k == key)
}

/// A registry file's problem in the user's language: `第 3 行「统一社会信用代码」：…`.
pub fn registry_problem(lang: Lang, p: &crate::domain::registry::LineProblem) -> String {
    use crate::domain::registry::{Column, Problem};
    let header = |c: Column| match lang {
        Lang::Zh => c.header_zh(),
        Lang::En => c.header_en(),
    };
    let line = t(lang, "import.line").replace("{line}", &p.line.to_string());
    let mut reason = t(lang, p.problem.key()).to_string();
    match &p.problem {
        Problem::UnknownColumn(h) => reason = format!("{reason}: {h}"),
        Problem::DuplicateInFile { first_line } => {
            reason = format!(
                "{reason} ({})",
                t(lang, "import.line").replace("{line}", &first_line.to_string())
            )
        }
        _ => {}
    }
    match (p.column, lang) {
        (Some(c), Lang::Zh) => format!("{line}「{}」：{reason}", header(c)),
        (Some(c), Lang::En) => format!("{line}, {}: {reason}", header(c)),
        (None, Lang::Zh) => format!("{line}：{reason}"),
        (None, Lang::En) => format!("{line}: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_every_entry_has_both_languages() {
        let mut keys: Vec<_> = MESSAGES.iter().map(|m| m.0).collect();
        keys.sort();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "duplicate message keys");
        for (k, zh, en) in MESSAGES {
            assert!(!zh.is_empty() && !en.is_empty(), "{k} lacks a language");
        }
    }

    #[test]
    fn unknown_key_is_shown_as_itself() {
        assert_eq!(t(Lang::Zh, "no.such.key"), "no.such.key");
        assert_eq!(t(Lang::En, "login.submit"), "Log in");
        assert_eq!(t(Lang::Zh, "login.submit"), "登录");
    }

    /// Scans the sources for `"xxx.yyy"` keys passed to `t(` / `tr(` and message keys in errors.
    #[test]
    fn every_key_used_in_the_code_has_both_languages() {
        // Every source file of the crate, read from the tree (none is skipped).
        fn read_all(dir: &std::path::Path, out: &mut String) {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .expect("read src")
                .map(|e| e.expect("entry").path())
                .collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    read_all(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs")
                {
                    out.push_str(&std::fs::read_to_string(&path).expect("read"));
                    out.push('\n');
                }
            }
        }
        let mut all = String::new();
        read_all(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut all,
        );
        let src = all.as_str();
        let mut missing = Vec::new();
        for (i, _) in src.match_indices('"') {
            let rest = &src[i + 1..];
            let Some(end) = rest.find('"') else { continue };
            let lit = &rest[..end];
            // Audit action names (`action: "user.create"`, also chosen by an `if`) are not
            // interface texts.
            if let Some(at) = src[..i].rfind("action: ") {
                if !src[at..i].contains([',', ';']) {
                    continue;
                }
            }
            // …nor is a prefix a test compares keys with (`starts_with("err.ladder_")`).
            if src[..i].ends_with("starts_with(") {
                continue;
            }
            // …nor are they when matched to give their label (`"filing.submit" => "提交"`).
            if rest[end + 1..].starts_with(" =>") {
                continue;
            }
            let prefixes = [
                "err.", "ok.", "nav.", "login.", "home.", "unit.", "user.", "pw.", "form.",
                "time.", "page.", "lang.", "app.", "rollup.", "report.", "export.", "review.",
                "filing.", "history.", "esc.", "notice.", "inbox.", "public.", "brief.",
            ];
            if prefixes.iter().any(|p| lit.starts_with(p))
                && lit
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
                && !has(lit)
            {
                missing.push(lit.to_string());
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "message keys with no text: {missing:?}");
    }
}
