use super::*;
use crate::eval::tests::policy;

#[test]
fn debug_optional_bool() {
    let p = policy(
        r#"policy p
source s "x" { clause a "y" }
enum 结论 { 好 { 说明: text }, 坏 }
input 申请 { 派发: bool?, 次数: int }
rule r1 cite s.a { when 申请.派发 is some and 申请.派发 then 好 { 说明: "a" } "x" }
rule r2 cite s.a { when 申请.次数 > 1 then 好 { 说明: "b" } "x" }
decision d: 结论 by priority 坏 > 好 default 坏 "ok""#,
    );
    let mut ctx = Ctx::new(vec![&p]);
    let h = ctx.holds(0, 0);
    let (boxes, _) = ctx.mdd.boxes(h, 10);
    eprintln!("holds r1 {:?}", boxes);
    for (i, d) in ctx.space.dims.iter().enumerate() {
        eprintln!("dim {i}: {:?}", d.cells.iter().map(|c| (&c.kind, &c.rep)).collect::<Vec<_>>());
    }
    let pt = witness::find(&ctx.space, &ctx.mdd, h, &mut |_| true).expect("point");
    eprintln!("case {:?}", ctx.space.case(0, &pt));
}
