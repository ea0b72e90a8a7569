import type { reviewsZhCN } from './reviews.zh-CN';

/** Product reviews and their moderation queue, in English. */
export const reviewsEn: Record<keyof typeof reviewsZhCN, string> = {
  'nav.reviews': 'Reviews',
  'reviews.title': 'Review moderation',
  'reviews.subtitle': "Reviews by customers who bought the product; once published they show on the product's QR page",
  'reviews.status.pending': 'Pending',
  'reviews.status.published': 'Published',
  'reviews.status.rejected': 'Rejected',
  'reviews.product': 'Product',
  'reviews.rating': 'Rating',
  'reviews.text': 'Review',
  'reviews.order': 'Order',
  'reviews.at': 'Submitted',
  'reviews.actions': 'Actions',
  'reviews.publish': 'Publish',
  'reviews.reject': 'Reject',
  'reviews.takeDown': 'Take down',
  'reviews.page': 'Product page',
  'reviews.empty': 'No reviews to handle',
  'reviews.done': 'Done: {product}',
  'reviews.orderLink': 'Order links on the shelf page',
  'reviews.orderLinkHint':
    'The shop or mini-program page that “Deliver to me” and “Reserve for pickup” open on the shelf-QR page; the link may hold:',
  'reviews.placeholderSku': 'the product (required)',
  'reviews.placeholderStore': 'the store scanned at',
  'reviews.placeholderFulfillment': 'delivery or pickup:',
  'reviews.orderLinkSave': 'Save link',
  'reviews.orderLinkReset': 'Back to the default',
  'reviews.orderLinkSaved': 'Saved',
  'reviews.orderLinkDefault': 'The built-in default link is used.',
  'apiError.invalid_order_url':
    'The link must be a path on this site (starting with /) or an http(s) address, without spaces or quotes, containing {sku}',
};
