//! The registry of diagnostic codes. A code, once published, keeps its meaning forever;
//! retired codes are never reused. Each code's long explanation (what, why, an example, in
//! Chinese and English) lives in `docs/diagnostics.md`, which drives `qingdan explain`.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($($code:ident $sev:ident $slug:literal $zh:literal $en:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($code,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            /// A short kebab-case name, stable like the code.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$code => $slug,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$code => Severity::$sev,)* }
            }

            /// One-line titles: (中文, English).
            pub fn title(self) -> (&'static str, &'static str) {
                match self { $(Code::$code => ($zh, $en),)* }
            }
        }
    };
}

codes! {
    // Reading and parsing.
    E0001 Error "syntax-error" "语法错误" "syntax error";
    E0002 Error "unterminated-string" "字符串未结束" "unterminated string";
    E0003 Error "number-out-of-range" "数字超出范围" "number out of range";
    E0004 Error "invalid-date" "日期无效" "invalid date";
    E0005 Error "not-text" "文件不是 UTF-8 文本" "file is not UTF-8 text";
    E0006 Error "file-too-large" "文件过大" "file too large";
    E0007 Error "nesting-too-deep" "嵌套过深" "nesting too deep";
    E0008 Error "keyword-as-name" "关键字不能用作名称" "keyword used as a name";
    E0009 Error "unreadable-file" "无法读取文件" "cannot read file";
    E0010 Error "missing-policy-header" "缺少政策声明" "missing policy header";
    E0011 Error "write-failed" "无法写出" "cannot write";
    E0012 Error "stray-full-stop" "多余的句号或分号" "stray full stop or semicolon";
    E0013 Error "operator-as-word" "运算符写成了文字" "operator written as a word";
    E0014 Error "citation-without-dot" "引用缺少来源与条款之间的点" "citation without a dot";
    E0015 Error "full-width-not-accepted" "不能用的全角符号" "full-width character not accepted";
    // Names.
    E0101 Error "unknown-name" "未知名称" "unknown name";
    E0102 Error "duplicate-declaration" "重复声明" "duplicate declaration";
    E0103 Error "unknown-field" "未知字段" "unknown field";
    E0104 Error "unknown-variant" "未知枚举值" "unknown enum variant";
    E0105 Error "ambiguous-variant" "枚举值有歧义" "ambiguous enum variant";
    E0106 Error "unknown-policy" "未知政策" "unknown policy";
    E0107 Error "use-cycle" "政策循环引入" "circular use";
    E0108 Error "import-conflict" "引入名称冲突" "imported name conflicts";
    E0109 Error "unknown-clause" "未知条款" "unknown clause";
    E0110 Error "unknown-source" "未知来源" "unknown source";
    E0111 Error "unknown-type" "未知类型" "unknown type";
    E0112 Error "duplicate-field" "重复字段" "duplicate field";
    E0113 Error "duplicate-variant" "重复枚举值" "duplicate enum variant";
    E0114 Error "duplicate-clause" "重复条款" "duplicate clause";
    E0115 Error "unknown-rule" "未知规则" "unknown rule";
    E0116 Error "outcome-without-decision" "结论不属于任何决定" "outcome belongs to no decision";
    E0117 Error "unknown-decision" "未知决定" "unknown decision";
    E0118 Error "duplicate-policy" "政策重名" "duplicate policy";
    E0119 Error "duplicate-key" "清单键重复" "duplicate list key";
    E0120 Error "dangling-reference" "引用的条目不存在" "dangling reference";
    E0121 Error "include-not-found" "无法读取引入的数据文件" "included file not found";
    E0122 Error "include-malformed" "引入的数据文件格式错误" "included file malformed";
    E0123 Error "invalid-key-field" "清单键字段无效" "invalid list key field";
    E0124 Error "unknown-function" "未知函数" "unknown function";
    E0125 Error "exception-to-itself" "例外针对自身" "exception to itself";
    E0126 Error "let-cycle" "定义循环依赖" "circular let";
    E0127 Error "missing-field" "缺少字段" "missing field";
    E0128 Error "include-outside-folder" "数据文件不在政策文件夹内" "data file outside the policy's folder";
    E0129 Error "source-text-unreadable" "无法读取来源全文" "source text cannot be read";
    E0130 Error "clause-not-in-text" "全文中找不到条款" "clause not found in the source text";
    E0131 Error "quotation-not-in-text" "引文与全文不符" "quotation not in the source text";
    E0132 Error "clause-without-words" "条款没有文字" "clause has no words";
    E0133 Error "workbook-unreadable" "工作簿无法读取" "workbook cannot be read";
    E0134 Error "sheet-not-found" "工作表不存在" "sheet not found";
    E0135 Error "workbook-too-large" "工作簿过大" "workbook too large";
    E0140 Error "version-ends-before-start" "版本的废止日期早于施行日期" "version ends before it starts";
    E0141 Error "versions-overlap" "同一天有两个版本施行" "two versions in force on one day";
    E0142 Error "version-gap" "参数在某天没有施行的版本" "parameter without a version on some day";
    E0143 Error "versions-without-date" "有版本但政策没有指明以哪个日期为准" "versions without a decision date";
    E0144 Error "bad-decision-date" "适用日期不是必填的日期字段" "decision date is not a required date field";
    E0145 Error "version-types-differ" "参数各版本类型不同" "versions of a parameter differ in type";
    // Types.
    E0201 Error "type-mismatch" "类型不匹配" "type mismatch";
    E0202 Error "unchecked-optional" "可选值未经检查" "optional value used unchecked";
    E0203 Error "not-numeric" "不是数值" "not a number";
    E0204 Error "incomparable-types" "类型不可比较" "incomparable types";
    E0205 Error "unordered-type" "类型没有大小顺序" "type has no order";
    E0206 Error "not-boolean" "条件不是真假值" "condition is not a boolean";
    E0207 Error "not-a-collection" "不是集合或清单" "not a set or list";
    E0208 Error "no-fields" "没有字段" "value has no fields";
    E0209 Error "outcome-missing-value" "结论缺少取值" "outcome value missing";
    E0210 Error "wrong-outcome" "结论不属于该决定" "outcome not of this decision";
    E0211 Error "decision-type-not-enum" "决定的类型不是枚举" "decision type is not an enum";
    E0212 Error "priority-incomplete" "优先顺序不完整" "priority order incomplete";
    E0213 Error "priority-duplicate" "优先顺序重复" "outcome ranked twice";
    E0214 Error "decision-not-total" "决定缺少默认结论" "decision has no default";
    E0215 Error "wrong-arity" "参数个数不对" "wrong number of arguments";
    E0216 Error "division-by-zero" "除数为零" "division by zero";
    E0217 Error "not-constant" "不是常量" "value is not a constant";
    E0218 Error "exception-other-decision" "例外的结论属于别的决定" "exception outcome of another decision";
    E0219 Error "outcome-takes-no-values" "该结论不带取值" "outcome takes no values";
    E0220 Error "untyped-empty-value" "空值的类型无从得知" "type of an empty value unknown";
    // Cases (the inputs of a run, read from YAML, JSON or JSON Lines).
    E0301 Error "case-malformed" "案例格式错误" "malformed case";
    E0302 Error "case-wrong-type" "案例字段值不符合类型" "case value has the wrong type";
    E0303 Error "case-missing-field" "案例缺少字段" "case field missing";
    E0304 Error "case-unknown-field" "案例中有未知字段" "unknown field in case";
    E0305 Error "case-unknown-variant" "案例中有未知枚举值" "unknown enum variant in case";
    E0306 Error "case-unknown-key" "案例引用的条目不存在" "case refers to a missing row";
    E0307 Error "case-too-large" "案例过大" "case too large";
    // Analysis: what the decisions do over every input (`qingdan check`, after the front end).
    E0401 Error "unique-overlap" "唯一决定的规则可同时触发" "rules of a unique decision overlap";
    E0402 Error "decision-gap" "完备决定有遗漏" "total decision has a gap";
    // WebAssembly modules and their hosts.
    E0501 Error "wasm-malformed" "WASM 模块无效" "malformed WASM module";
    E0502 Error "wasm-foreign-abi" "WASM 模块接口不符" "foreign WASM module";
    E0503 Error "wasm-input-too-large" "案例超出模块输入区" "case too large for the module";
    E0504 Error "wasm-stopped" "WASM 模块执行中止" "WASM module stopped";
    E0505 Error "wasm-bad-input" "案例不符合模块输入布局" "case does not fit the module";
    E0506 Error "wasm-unsupported" "无法编译为 WASM" "cannot compile to WASM";
    E0507 Error "wasm-untrusted" "WASM 模块未经信任的签名" "WASM module not signed by a trusted key";
    // Evaluation: a case read well whose decision cannot be computed (every host alike).
    E0601 Error "eval-division-by-zero" "计算中除数为零" "division by zero while deciding";
    E0602 Error "eval-overflow" "计算结果超出范围" "number out of range while deciding";
    E0603 Error "eval-no-rule-applies" "完备决定没有适用的规则" "no rule applies to a total decision";
    // Office documents: decision notices from Word templates (`qingdan eval --notice`).
    E0701 Error "notice-template-invalid" "通知书模板不是有效的 Word 文档" "notice template is not a valid Word document";
    E0702 Error "no-notice-templates" "没有通知书模板" "no notice templates";
    // The decision service (`qingdan serve`): errors answered over HTTP.
    E0901 Error "unknown-policy" "没有这个政策" "no such policy";
    E0902 Error "unknown-decision" "没有这个决定" "no such decision";
    E0903 Error "request-too-large" "请求过大" "request too large";
    E0904 Error "not-authorized" "未授权" "not authorized";
    E0905 Error "log-failed" "决定日志写入失败" "decision log write failed";
    E0906 Error "request-timeout" "请求超时" "request timed out";
    E0907 Error "unknown-decision-id" "没有这个决定编号" "no such decision id";
    E0908 Error "decision-failed" "决定无法作出" "decision failed";
    // Warnings.
    W0001 Warning "uncited-rule" "规则未引用条款" "rule cites no clause";
    W0002 Warning "unused-let" "定义未被使用" "unused let";
    W0003 Warning "redundant-is-some" "多余的有值检查" "redundant `is some`";
    W0004 Warning "unused-use" "引入的政策未被使用" "unused use";
    W0005 Warning "empty-decision" "决定没有规则" "decision has no rules";
    W0006 Warning "shadowed-name" "名称遮蔽" "shadowed name";
    W0007 Warning "missing-reason" "结论没有理由" "outcome has no reason";
    // Analysis warnings: decisions, inputs and lists.
    W0401 Warning "tied-values" "同级结论取值不同" "tied outcomes with different values";
    W0402 Warning "shadowed-rule" "规则从不决定结论" "rule never decides";
    W0403 Warning "dead-rule" "规则永远不会成立" "rule can never hold";
    W0404 Warning "exception-conflict" "例外可能冲突" "exceptions can conflict";
    W0405 Warning "unused-input" "输入字段未被使用" "unused input field";
    W0406 Warning "not-decided-exactly" "无法确切判定" "not decided exactly";
    W0407 Warning "list-check-violation" "清单条目不符合检查" "list row breaks a check";
    W0408 Warning "duplicate-row" "清单条目重复" "duplicate list row";
    W0409 Warning "unknown-key" "键不存在" "constant key names no row";
    // Office documents.
    W0701 Warning "unknown-placeholder" "模板占位符没有对应的值" "template placeholder names nothing";
    W0702 Warning "no-notice-template" "结论没有通知书模板" "outcome has no notice template";
}

impl Code {
    pub fn parse(text: &str) -> Option<Code> {
        let text = text.trim();
        Code::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(text) || c.slug() == text)
    }

    /// The long explanation from `docs/diagnostics.md` (its `## CODE` section).
    pub fn explanation(self) -> Option<&'static str> {
        let doc = include_str!("../../../docs/diagnostics.md");
        let header = format!("## {}", self.as_str());
        let start = doc.find(&header)?;
        let rest = &doc[start..];
        let end = rest[header.len()..].find("\n## ").map_or(rest.len(), |i| i + header.len());
        Some(rest[..end].trim_end())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
