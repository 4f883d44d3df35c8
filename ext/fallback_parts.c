/* FallbackStore's two parts (a local and a remote store), composed through their ops tables only.
 * Each part keeps its own state per lock and per claim; FallbackStore's state holds both and lends the
 * part's one to l[i].priv (r->priv) for the length of a call into that part. */
#include "fallback_internal.h"

static paylock_store *part_of(paylock_fallback_store *fb, int part);

paylock_store *paylock_fallback_part(paylock_store *s, bool remote)
{
	return part_of((paylock_fallback_store *)s, remote ? REMOTE : LOCAL);
}

static paylock_store *part_of(paylock_fallback_store *fb, int part)
{
	return part == LOCAL ? fb->file : fb->redis;
}

fb_lock *paylock_fb_lock_of(paylock_lock_state *l)
{
	if (l->priv == NULL) {
		l->priv = ecalloc(1, sizeof(fb_lock));
	}
	return l->priv;
}

void paylock_fb_lend(fb_lend *w, paylock_lock_state *l, uint32_t n, int part)
{
	w->l = l;
	w->n = n;
	w->part = part;
	w->all = n == 1 ? &w->one : safe_emalloc(n, sizeof(fb_lock *), 0);
	for (uint32_t i = 0; i < n; i++) {
		w->all[i] = paylock_fb_lock_of(&l[i]);
		l[i].priv = w->all[i]->part[part];
	}
}

void paylock_fb_take_back(fb_lend *w)
{
	for (uint32_t i = 0; i < w->n; i++) {
		w->all[i]->part[w->part] = w->l[i].priv;
		w->l[i].priv = w->all[i];
	}
	if (w->all != &w->one) {
		efree(w->all);
	}
}

paylock_status paylock_fb_part_acquire(paylock_fallback_store *fb, int part, paylock_lock_state *l,
									   uint32_t n, int64_t ttl_ms, uint64_t deadline_ns,
									   paylock_acquire_info *info, paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc;
	fb_lend w;

	paylock_fb_lend(&w, l, n, part);
	rc = p->ops->acquire(p, l, n, ttl_ms, deadline_ns, info, err);
	paylock_fb_take_back(&w);
	return rc;
}

paylock_status paylock_fb_part_release(paylock_fallback_store *fb, int part, paylock_lock_state *l,
									   uint32_t n, paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc;
	fb_lend w;

	paylock_fb_lend(&w, l, n, part);
	rc = p->ops->release(p, l, n, err);
	paylock_fb_take_back(&w);
	return rc;
}

paylock_status paylock_fb_part_refresh(paylock_fallback_store *fb, int part, paylock_lock_state *l,
									   uint32_t n, int64_t ttl_ms, paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc;
	fb_lend w;

	paylock_fb_lend(&w, l, n, part);
	rc = p->ops->refresh(p, l, n, ttl_ms, err);
	paylock_fb_take_back(&w);
	return rc;
}

paylock_status paylock_fb_part_check(paylock_fallback_store *fb, int part, paylock_lock_state *l, uint32_t n,
									 paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc;
	fb_lend w;

	paylock_fb_lend(&w, l, n, part);
	rc = p->ops->check(p, l, n, err);
	paylock_fb_take_back(&w);
	return rc;
}

paylock_status paylock_fb_part_fence(paylock_fallback_store *fb, int part, paylock_lock_state *l,
									 paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc = PAYLOCK_YES;
	fb_lend w;

	paylock_fb_lend(&w, l, 1, part);
	if (p->ops->fence) {
		rc = p->ops->fence(p, l, err);
	}
	paylock_fb_take_back(&w);
	return rc;
}

bool paylock_fb_held_locally(paylock_fallback_store *fb, paylock_lock_state *l)
{
	bool held;
	fb_lend w;

	paylock_fb_lend(&w, l, 1, LOCAL);
	held = fb->file->ops->local->holds(l);
	paylock_fb_take_back(&w);
	return held;
}

void paylock_fb_state_drop(paylock_store *s, paylock_lock_state *l, uint32_t n)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	for (int part = LOCAL; part <= REMOTE; part++) {
		paylock_store *p = part_of(fb, part);
		fb_lend w;

		if (p->ops->state_drop) {
			paylock_fb_lend(&w, l, n, part);
			p->ops->state_drop(p, l, n);
			paylock_fb_take_back(&w);
		}
	}
}

void paylock_fb_state_free(paylock_store *s, paylock_lock_state *l, uint32_t n)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	for (int part = LOCAL; part <= REMOTE; part++) {
		paylock_store *p = part_of(fb, part);
		fb_lend w;

		if (p->ops->state_free) {
			paylock_fb_lend(&w, l, n, part);
			p->ops->state_free(p, l, n);
			paylock_fb_take_back(&w);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		if (l[i].priv) {
			efree(l[i].priv);
			l[i].priv = NULL;
		}
	}
}

bool paylock_fb_op_is_degraded(paylock_store *s, const paylock_lock_state *l)
{
	(void)s;
	return l->priv && ((const fb_lock *)l->priv)->degraded;
}

bool paylock_fb_is_degraded(paylock_lock_state *l)
{
	return paylock_fb_lock_of(l)->degraded;
}

fb_claim *paylock_fb_claim_of(paylock_idem_req *r)
{
	if (r->priv == NULL) {
		r->priv = ecalloc(1, sizeof(fb_claim));
	}
	return r->priv;
}

static fb_claim *lend_req(paylock_idem_req *r, int part)
{
	fb_claim *f = paylock_fb_claim_of(r);

	r->priv = f->part[part];
	return f;
}

static void take_back_req(paylock_idem_req *r, fb_claim *f, int part)
{
	f->part[part] = r->priv;
	r->priv = f;
}

#define PART_IDEM(fb, part, r, op, ...)                                                                      \
	paylock_store *p = part_of(fb, part);                                                                    \
	fb_claim *f = lend_req(r, part);                                                                         \
	paylock_status rc = p->ops->idem->op(p, r, __VA_ARGS__);                                                 \
	take_back_req(r, f, part);                                                                               \
	return rc

paylock_status paylock_fb_part_claim(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									 bool register_wait, paylock_idem_outcome *out, paylock_error *err)
{
	PART_IDEM(fb, part, r, claim, register_wait, out, err);
}

paylock_status paylock_fb_part_wait(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									uint64_t deadline_ns, int64_t lease_left_ms, paylock_error *err)
{
	PART_IDEM(fb, part, r, wait, deadline_ns, lease_left_ms, err);
}

paylock_status paylock_fb_part_complete(paylock_fallback_store *fb, int part, paylock_idem_req *r,
										const zend_string *result, paylock_error *err)
{
	PART_IDEM(fb, part, r, complete, result, err);
}

paylock_status paylock_fb_part_abandon(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									   bool outcome_unknown, paylock_error *err)
{
	PART_IDEM(fb, part, r, abandon, outcome_unknown, err);
}

paylock_status paylock_fb_part_forget(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									  paylock_error *err)
{
	PART_IDEM(fb, part, r, forget, err);
}

paylock_status paylock_fb_part_mark(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									paylock_idem_mark how, paylock_error *err)
{
	PART_IDEM(fb, part, r, mark, how, err);
}

paylock_status paylock_fb_part_idem_refresh(paylock_fallback_store *fb, int part, paylock_idem_req *r,
											int64_t lease_ms, paylock_error *err)
{
	PART_IDEM(fb, part, r, refresh, lease_ms, err);
}

void paylock_fb_req_drop(paylock_store *s, paylock_idem_req *r)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	for (int part = LOCAL; part <= REMOTE; part++) {
		paylock_store *p = part_of(fb, part);

		if (p->ops->idem->req_drop) {
			fb_claim *f = lend_req(r, part);

			p->ops->idem->req_drop(p, r);
			take_back_req(r, f, part);
		}
	}
}

void paylock_fb_req_free(paylock_store *s, paylock_idem_req *r)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	if (r->priv == NULL) {
		return;
	}
	for (int part = LOCAL; part <= REMOTE; part++) {
		paylock_store *p = part_of(fb, part);

		if (p->ops->idem->req_free) {
			fb_claim *f = lend_req(r, part);

			p->ops->idem->req_free(p, r);
			take_back_req(r, f, part);
		}
	}
	efree(r->priv);
	r->priv = NULL;
}
