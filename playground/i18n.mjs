// The page's own words, in Chinese (the default) and English. Policy content (names, reasons,
// clause texts) is shown as written; only the labels around it change language.

const WORDS = {
  title: ["清单 · 政策试验台", "qingdan · policy playground"],
  subtitle: ["边写边查：规则是否成立、依赖什么、案例如何决定、依据哪一条", "write a policy, see what it depends on, try cases and see why"],
  policy: ["政策文件", "Policy file"],
  newPolicy: ["＋ 新建空白政策", "+ New blank policy"],
  format: ["格式化", "Format"],
  keywords: ["关键字", "Keywords"],
  keepKeywords: ["保持", "keep"],
  download: ["下载 .wasm", "Download .wasm"],
  revert: ["还原", "Revert"],
  revertTitle: ["放弃修改，恢复为文件中的内容", "discard edits and go back to the file's text"],
  langToggle: ["English", "中文"],
  editor: ["政策文本", "Policy text"],
  diagnostics: ["诊断", "Diagnostics"],
  noDiagnostics: ["没有错误，也没有警告", "No errors and no warnings"],
  noErrors: ["没有错误", "No errors"],
  analysis: ["分析结果", "Analysis"],
  analysisHint: ["分析器对所有可能的输入推演每个决定：冲突、遗漏、被遮蔽或永不触发的规则、未使用的字段、清单数据的问题", "The analyser reasons about every possible input: conflicts, gaps, shadowed and dead rules, unused fields, problems in list rows"],
  noFindings: ["分析器没有发现问题", "The analyser found nothing"],
  analysisWaiting: ["语法和类型错误改正后才能分析", "Analysis runs once syntax and type errors are fixed"],
  moreInAnalysis: ["另有 {n} 条分析结果，见「分析结果」", "{n} more finding(s) from the analyser, see Analysis"],
  errors: ["错误", "errors"],
  warnings: ["警告", "warnings"],
  error: ["错误", "error"],
  warning: ["警告", "warning"],
  help: ["提示", "help"],
  related: ["相关位置", "related"],
  line: ["第 {l} 行第 {c} 列", "line {l}, column {c}"],
  otherFile: ["（在 {f} 中）", "(in {f})"],
  checking: ["检查中…", "checking…"],
  building: ["编译中…", "compiling…"],
  ready: ["已编译，案例在浏览器中计算", "compiled; cases are evaluated in the browser"],
  hasErrors: ["有错误，结果仍为上一次无错误的版本", "has errors; results are from the last version without errors"],
  serverError: ["服务器出错：{m}", "server error: {m}"],
  tooLarge: ["文本超过 2 MiB，试验台不处理这么大的文件", "the text is over 2 MiB, more than the playground takes"],
  networkError: ["无法连接试验台服务：{m}", "cannot reach the playground server: {m}"],
  caseTitle: ["案例", "Case"],
  caseHint: ["修改任一字段即重新计算（在浏览器中运行编译后的 WASM 模块）", "Every change re-evaluates (the compiled WASM module runs in this browser)"],
  loadTest: ["载入测试", "Load test"],
  noTests: ["（文件中没有测试）", "(no tests in the file)"],
  defaults: ["默认值", "defaults"],
  none: ["无", "none"],
  noneOption: ["— 无 —", "— none —"],
  optional: ["可选", "optional"],
  addTag: ["输入后按回车添加", "type and press Enter"],
  removeTag: ["删除", "remove"],
  decision: ["决定", "Decision"],
  decisions: ["决定与理由", "Decision and why"],
  noModule: ["政策没有错误后，这里显示案例的决定", "Once the policy has no errors, the case's decision appears here"],
  outcome: ["结论", "Outcome"],
  reason: ["理由", "Reason"],
  byRule: ["由规则 {r} 得出", "given by rule {r}"],
  byDefault: ["没有规则适用，取默认结论", "no rule applies: the default outcome"],
  fired: ["触发的规则", "Rules that fired"],
  noneFired: ["没有规则触发", "No rule fired"],
  overridden: ["被例外推翻的规则", "Rules overridden by exceptions"],
  conflicts: ["冲突", "Conflicts"],
  conflictOf: ["规则同时给出不同结论：{r}", "rules disagree: {r}"],
  exceptionTo: ["例外，针对 {r}", "exception to {r}"],
  cancels: ["（取消目标规则）", "(cancels its target)"],
  read: ["读取的值", "Values read"],
  cites: ["引用条款", "Cites"],
  violations: ["检查", "Checks"],
  noViolations: ["案例通过所有检查", "The case passes every check"],
  rows: ["条目：{r}", "rows: {r}"],
  permissions: ["可以（许可）", "Permissions"],
  citesList: ["依据：{c}", "cites: {c}"],
  evalError: ["计算出错", "Evaluation error"],
  caseError: ["案例不符合输入定义", "The case does not fit the input"],
  expected: ["预期 {o}", "expected {o}"],
  matches: ["与测试预期一致", "matches the test's expectation"],
  differs: ["与测试预期不同", "differs from the test's expectation"],
  graph: ["依赖图", "Dependency graph"],
  graphHint: ["从左到右：输入 → 推导事实 → 例外与规则 → 决定。高亮：所选决定依赖的一切；粗框：本案例触发的规则。点击节点跳到定义", "Left to right: inputs → derived facts → exceptions and rules → decisions. Highlighted: what the chosen decision depends on; bold: rules this case fired. Click a node to go to its definition"],
  showClauses: ["显示条款", "show clauses"],
  fitWidth: ["适应宽度", "fit width"],
  forDecision: ["决定", "decision"],
  clearSelection: ["取消选中", "clear selection"],
  kind_input: ["输入", "input"],
  kind_let: ["推导事实", "let"],
  kind_rule: ["规则", "rule"],
  kind_exception: ["例外", "exception"],
  kind_decision: ["决定", "decision"],
  kind_check: ["检查", "check"],
  kind_list: ["清单", "list"],
  kind_clause: ["条款", "clause"],
  legendFired: ["本案例触发", "fired for this case"],
  legendOverridden: ["被推翻", "overridden"],
  formatFailed: ["有语法错误，无法格式化", "cannot format: the text has syntax errors"],
  formatted: ["已格式化", "formatted"],
  unchanged: ["格式已规范，无需改动", "already formatted"],
  downloaded: ["已下载 {f}", "downloaded {f}"],
  cannotDownload: ["政策有错误，无法编译", "the policy has errors and cannot be compiled"],
  edited: ["未保存", "unsaved"],
  save: ["保存", "Save"],
  saveTitle: ["把修改写入文件（Ctrl+S）", "write the edits to the file (Ctrl+S)"],
  saved: ["已保存 {f}", "saved {f}"],
  saveFailed: ["未能保存：{m}", "not saved: {m}"],
  openFailed: ["未能读取文件：{m}", "cannot read the file: {m}"],
  newFile: ["新建政策", "New policy"],
  newFileTitle: ["在政策文件夹中新建一个 .qd 文件（需要时连同文件夹）", "create a .qd file (and its folders) in the policy folder"],
  newFilePath: ["在政策文件夹中的路径", "Path in the policy folder"],
  newFileDefault: ["新政策/新政策.qd", "new_policy/new_policy.qd"],
  create: ["创建", "Create"],
  created: ["已创建 {f}", "created {f}"],
  cancel: ["取消", "Cancel"],
  conflictTitle: ["文件已在磁盘上被修改", "The file changed on disk"],
  conflictHint: ["在本页打开之后被其他程序或他人修改，尚未覆盖。请选择保留哪个版本：", "was changed by someone else after this page opened it; nothing was overwritten. Choose which version to keep:"],
  mine: ["我的版本（未保存）", "Mine (unsaved)"],
  theirs: ["磁盘上的版本", "On disk"],
  keepMine: ["保留我的，覆盖磁盘", "Keep mine, overwrite the disk"],
  takeTheirs: ["采用磁盘上的，放弃我的修改", "Take the disk's, drop my edits"],
  conflictWhere: ["两个版本从第 {l} 行起不同（已标出）", "the versions differ from line {l} on (marked)"],
  diskGone: ["（文件已被删除）", "(the file was deleted)"],
  type_Bool: ["布尔", "bool"],
  type_Int: ["整数", "int"],
  type_Decimal: ["小数", "decimal"],
  type_Text: ["文本", "text"],
  type_Date: ["日期", "date"],
  type_set: ["集合 {t}", "set of {t}"],
  true: ["真", "true"],
  false: ["假", "false"],
};

let lang = "zh";

export function setLang(l) {
  lang = l === "en" ? "en" : "zh";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

export function getLang() {
  return lang;
}

/** The word for `key` in the page's language, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const w = WORDS[key];
  let s = w ? w[lang === "zh" ? 0 : 1] : key;
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** Fills every element marked `data-i18n="key"` (text) and `data-i18n-title="key"` (tooltip). */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}
