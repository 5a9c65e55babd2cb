/*
 * printing/sample.c - filled sample orders: the installer's test page
 * (`kiosk print sample`), the documents of the tests and the benchmark.
 * The values are invented but valid (USCC and ID check characters correct).
 */
#include "printing/print.h"

#include <stdio.h>
#include <string.h>

#define SET(f, v) snprintf(d->f, sizeof d->f, "%s", v)

void
prn_sample_order(struct prn_order_doc *d, int variant, time_t now)
{
    memset(d, 0, sizeof *d);
    d->lang = LANG_ZH;
    snprintf(d->order_number, sizeof d->order_number, "66-20261122-%04d", 17 + variant);
    d->txn = KIND_NEW;
    d->cert_kind = PRN_CERT_UNIT;
    SET(company, "天津市河东区星海科技有限公司");
    SET(uscc, "91120102MA05TKJQ8Y");
    SET(legal_rep, "王建国");
    SET(legal_rep_id, "120102197803154415");
    SET(company_phone, "022-24538059");
    SET(office_phone, "022-88908890");
    SET(website, "www.xinghai-tech.example.cn");
    SET(operator_name, "李晓梅");
    SET(operator_id, "120105199008172524");
    SET(operator_mobile, "13820001234");
    SET(operator_email, "lixiaomei@xinghai-tech.example.cn");
    SET(operator_wechat, "lxm_xinghai");
    SET(mail_address, "天津市河东区红星路79号星海大厦12层");
    SET(app_region, "天津");
    SET(app_category, "政府采购");
    SET(app_project, "天津市政府采购电子招投标系统");
    d->media_fee = 5000;
    d->service_fee_per_year = 5000;
    d->years = 3;
    SET(pay_method, "qr");
    SET(cert_serial, "5A1F3C9E7B2D4410");
    d->not_before = now;
    d->not_after = now + 3 * 365 * 86400L + 86400L;
    SET(key_serial, "ZHCA2611220017");
    SET(ca_name, "中环CA");
    SET(cert_fpr, "3f9a0c1e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468");
    SET(seal_id, "QZ20261122-000017");
    SET(seal_name, "天津市河东区星海电子有限公司");
    SET(hall, "天津市政府采购中心 数字证书服务大厅");
    SET(window, "66");
    SET(clerk, "张敏");
    d->created = now;
    d->printed = now;
    d->refund_amount = 20000;       /* a refund slip's: the whole payment */
    SET(refund_reason, "单位名称填写有误，经办人申请取消");

    switch (variant) {
    case 1:
        SET(company, "天津滨海新区中新生态城国际智慧供应链管理与高端装备制造科技集团股份有限公司第三分公司（原天津市东丽区华明高新技术产业园区精密仪器研究所）");
        SET(mail_address, "天津市滨海新区中新天津生态城中新大道与和畅路交口西北侧国际智慧供应链产业园区创新大厦B座二十七层2708室供应链管理部收");
        SET(seal_image, "seal-2026-11-22-0017-scan-600dpi.png（PNG，2480×2480，1024 KB）");
        SET(rebind_of, "QZ20231122-000003");
        break;
    case 2:
        d->txn = KIND_CHANGE;
        d->cert_kind = PRN_CERT_LEGAL;
        SET(change_desc, "单位名称由“天津市河东区星海电子有限公司”变更为“天津市河东区星海科技有限公司”");
        d->media_fee = 0;
        d->service_fee_per_year = 0;
        d->years = 0;
        SET(pay_method, "");
        break;
    case 3:
        d->txn = KIND_RENEW;
        d->media_fee = 0;
        d->years = 3;
        SET(pay_method, "cash");
        SET(window, "");
        SET(clerk, "");
        break;
    default:
        break;
    }
}
